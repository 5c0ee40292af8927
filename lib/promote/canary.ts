/**
 * The PROD canary (access runbook 4.3 step 4 and 5.1): the alias keeps the version it served and routes a share
 * of the traffic (10%) to the new one for the canary's window, judged on the new version's own metrics (its
 * ExecutedVersion series), with a health invoke of the new version at a short interval and read-only health
 * traffic through the alias while the function is quiet, so the share yields samples. Error rate > 5% for
 * 2 minutes or a failed health invoke rolls back at once; p95 > 3x the previous version's baseline holds the
 * promotion for a person's decision; a window without data is inconclusive and never shifts the traffic.
 *
 * `judgeCanary` is the pure decision over what the watchers saw; `watchCanary` runs them.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Environment, Service } from "../../runbooks/index.ts";
import { getRunbookItem } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { sdk } from "../aws/index.ts";
import { invokeHealth } from "../checks/health.ts";
import {
  baselineFrom,
  readBaselineSeries,
  syntheticHealthPayload,
  syntheticOutcomeOf,
  type WatchedFunction,
  watchFunction,
} from "../checks/window.ts";
import {
  MonitorAbortedError,
  type MonitorDecision,
  type MonitorRule,
  monitorRulesFromItems,
  type WindowTraffic,
} from "../monitor/index.ts";

/** Runbook items the canary decides on. */
export const CANARY_ITEMS = {
  weight: "access-promotion/4.3.4/canary-10pct-5min",
  errorRate: "access-promotion/5.1/error-rate-auto-rollback",
  latency: "access-promotion/5.1/p95-latency-alert",
  health: "access-promotion/5.1/canary-health-auto-rollback",
} as const;

/** The canary's timing and share, from the environment (HARNESS_<ENV>_CANARY_*). */
export interface CanaryPlan {
  readonly weightPercent: number;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly healthIntervalMs: number;
  readonly syntheticPerMinute: number;
  /** The window over the runbook's (5 minutes): a shortened canary shortens its "for 2 minutes" alike. */
  readonly scale: number;
}

/** The runbook's canary length in seconds: the 4.3.4 weight item's `forSeconds` (300). */
function runbookCanarySeconds(): number {
  const item = getRunbookItem(CANARY_ITEMS.weight);
  return item?.thresholds[0]?.forSeconds ?? 300;
}

/** Whether a promotion of `service` into `environment` goes through a canary, and with which plan. */
export function canaryPlan(service: Service, environment: Environment): CanaryPlan | null {
  const canary = environment.canary;
  if (!service.canary || canary.weightPercent <= 0) return null;
  const windowMs = canary.windowSeconds * 1000;
  return {
    weightPercent: canary.weightPercent,
    windowMs,
    intervalMs: Math.min(canary.intervalSeconds * 1000, windowMs),
    healthIntervalMs: Math.min(canary.healthIntervalSeconds * 1000, windowMs),
    syntheticPerMinute: canary.syntheticPerMinute,
    scale: canary.windowSeconds / runbookCanarySeconds(),
  };
}

/**
 * The plan shortened (or lengthened) by `scale`: window, polls and health checks together, the synthetic rate up
 * as the window shrinks (the same samples a window), and the runbook's "for 2 minutes" with them. Polls and
 * health checks are never closer than `minIntervalMs`.
 */
export function scaleCanaryPlan(plan: CanaryPlan, scale: number, minIntervalMs: number): CanaryPlan {
  return {
    ...plan,
    windowMs: Math.round(plan.windowMs * scale),
    intervalMs: Math.max(minIntervalMs, Math.round(plan.intervalMs * scale)),
    healthIntervalMs: Math.max(minIntervalMs, Math.round(plan.healthIntervalMs * scale)),
    syntheticPerMinute: Math.round(plan.syntheticPerMinute / scale),
    scale: plan.scale * scale,
  };
}

/** Rules of the canary: the rollback triggers and the alert that holds; a `for` span scales with the window. */
export function canaryRules(
  plan: Pick<CanaryPlan, "scale">,
  baselineP95Ms: number | null,
): { rollback: MonitorRule[]; hold: MonitorRule[] } {
  const items = [CANARY_ITEMS.errorRate, CANARY_ITEMS.latency].map((id) => {
    const item = getRunbookItem(id);
    if (!item) throw new Error(`The canary's runbook item ${id} is missing from runbooks/.`);
    return item;
  });
  const { rules } = monitorRulesFromItems(items, { baselineP95Ms });
  const scaled = rules.map((rule) =>
    rule.forMs === undefined ? rule : { ...rule, forMs: Math.round(rule.forMs * plan.scale) },
  );
  return {
    rollback: scaled.filter((r) => r.itemIds.includes(CANARY_ITEMS.errorRate)),
    hold: scaled.filter((r) => r.itemIds.includes(CANARY_ITEMS.latency)),
  };
}

/** One canary function: the version the alias keeps serving and the new one that gets the share. */
export interface CanaryFunction {
  readonly functionName: string;
  readonly previousVersion: string;
  readonly newVersion: string;
}

/** The health invokes of the new versions during the canary. */
export interface CanaryHealth {
  readonly checks: number;
  readonly failures: number;
  /** The first failed invoke: which function, after how long, and what it answered. */
  readonly firstFailure: { functionName: string; afterMs: number; outcome: string } | null;
}

/** What one function's canary watcher saw (null decision: stopped because another function decided first). */
export interface CanaryWatch {
  readonly functionName: string;
  readonly newVersion: string;
  readonly baseline: { valueMs: number | null; source: string };
  readonly decision: Exclude<MonitorDecision, { kind: "continue" }> | null;
  readonly traffic: WindowTraffic | null;
}

/** The canary's outcome: shift the traffic, roll back, hold for a person, or (no data) roll back as inconclusive. */
export interface CanaryOutcome {
  readonly kind: "pass" | "rollback" | "hold" | "inconclusive";
  readonly reason: string;
  readonly itemIds: readonly string[];
  /** Time from the canary's start to the decision (rollback, hold, pass: the full window). */
  readonly decidedAfterMs: number;
  readonly windowMs: number;
  readonly weightPercent: number;
}

/** The canary's decision over what its watchers and health checks saw (pure). */
export function judgeCanary(input: {
  watches: readonly CanaryWatch[];
  health: CanaryHealth;
  holdRuleIds: readonly string[];
  decidedAfterMs: number;
  plan: Pick<CanaryPlan, "windowMs" | "weightPercent">;
}): CanaryOutcome {
  const base = {
    decidedAfterMs: input.decidedAfterMs,
    windowMs: input.plan.windowMs,
    weightPercent: input.plan.weightPercent,
  };
  const failure = input.health.firstFailure;
  if (failure) {
    return {
      ...base,
      kind: "rollback",
      reason: `The canary health check failed: ${failure.functionName}'s new version answered ${failure.outcome} ${(failure.afterMs / 1000).toFixed(1)} s into the canary (${input.health.failures} of ${input.health.checks} health invokes failed). Rolled back (runbook 5.1).`,
      itemIds: [CANARY_ITEMS.health],
    };
  }
  const failed = input.watches.filter((w) => w.decision?.kind === "fail");
  const breaches = failed.flatMap((w) =>
    w.decision?.kind === "fail" ? w.decision.breaches.map((b) => ({ fn: w.functionName, breach: b })) : [],
  );
  const rollback = breaches.find((b) => !input.holdRuleIds.includes(b.breach.ruleId));
  if (rollback) {
    return {
      ...base,
      kind: "rollback",
      reason: `${rollback.fn}'s new version: ${rollback.breach.reason} Rolled back (runbook 5.1).`,
      itemIds: rollback.breach.itemIds,
    };
  }
  const hold = breaches[0];
  if (hold) {
    return {
      ...base,
      kind: "hold",
      reason: `${hold.fn}'s new version: ${hold.breach.reason} The canary holds at ${input.plan.weightPercent}% for a decision (runbook 5.1: alert + manual decision): promote --resume --decision proceed|rollback.`,
      itemIds: hold.breach.itemIds,
    };
  }
  const unjudged = input.watches.filter((w) => w.decision === null || w.decision.kind === "inconclusive");
  if (unjudged.length > 0 || input.watches.length === 0 || input.health.checks === 0) {
    const why = unjudged
      .map((w) => `${w.functionName}: ${w.decision?.reason ?? "not watched to the end"}`)
      .join(" ");
    return {
      ...base,
      kind: "inconclusive",
      reason: `The canary could not be judged, so the traffic does not shift (no data is not a pass). ${why || "No health invoke of the new version ran."} Rolled back.`,
      itemIds: [CANARY_ITEMS.errorRate, CANARY_ITEMS.latency],
    };
  }
  return {
    ...base,
    kind: "pass",
    reason: `The canary passed: ${input.plan.weightPercent}% of the traffic for ${(input.plan.windowMs / 1000).toFixed(0)} s, no rollback trigger crossed and all ${input.health.checks} health invokes of the new versions answered healthy.`,
    itemIds: [CANARY_ITEMS.weight, CANARY_ITEMS.errorRate, CANARY_ITEMS.latency, CANARY_ITEMS.health],
  };
}

/** Routes `weightPercent` of the alias's traffic to each new version; the alias keeps the previous one. */
export async function startCanary(
  aws: AwsClients,
  alias: string,
  functions: readonly CanaryFunction[],
  weightPercent: number,
): Promise<void> {
  for (const fn of functions) {
    await aws.lambda.send(
      new (sdk.lambda().UpdateAliasCommand)({
        FunctionName: fn.functionName,
        Name: alias,
        FunctionVersion: fn.previousVersion,
        RoutingConfig: { AdditionalVersionWeights: { [fn.newVersion]: weightPercent / 100 } },
      }),
    );
  }
}

/** Everything `watchCanary` reports: the decision and the evidence behind it. */
export interface CanaryReport {
  readonly outcome: CanaryOutcome;
  readonly watches: readonly CanaryWatch[];
  readonly health: CanaryHealth;
  readonly rules: { rollback: readonly MonitorRule[]; hold: readonly MonitorRule[] };
}

/** Watches the canary until a trigger decides or the window ends; never moves an alias itself. */
export async function watchCanary(options: {
  aws: AwsClients;
  service: Service;
  alias: string;
  functions: readonly CanaryFunction[];
  plan: CanaryPlan;
  startedAt: number;
  log: (line: string) => void;
  clock?: () => number;
}): Promise<CanaryReport> {
  const clock = options.clock ?? Date.now;
  const { aws, plan, startedAt } = options;
  const stop = new AbortController();
  const baselines = await Promise.all(
    options.functions.map(async (fn) =>
      baselineFrom(await readBaselineSeries(aws, fn.functionName, fn.previousVersion, new Date(startedAt))),
    ),
  );
  // One rule set per function: each has its own previous version's latency baseline.
  const rulesPer = baselines.map((b) => canaryRules(plan, b.valueMs));
  let checks = 0;
  let failures = 0;
  let firstFailure: CanaryHealth["firstFailure"] = null;
  let decidedAt: number | null = null;
  const decide = () => {
    decidedAt ??= clock();
    stop.abort();
  };

  const payload = syntheticHealthPayload(options.service);
  const healthLoop = (async () => {
    const end = startedAt + plan.windowMs;
    for (let tick = 1; !stop.signal.aborted; tick++) {
      const results = await Promise.all(
        options.functions.map(async (fn) => {
          // An invoke that cannot be sent leaves the new version's health unknown: that is a failed check.
          const outcome = await invokeHealth({
            lambda: aws.lambda,
            functionName: fn.functionName,
            qualifier: fn.newVersion,
            payload,
          }).then(
            (invocation) =>
              syntheticOutcomeOf(invocation, { kind: "function", functionName: fn.functionName }),
            (error: unknown) => `unanswered (${error instanceof Error ? error.message : String(error)})`,
          );
          return { fn, outcome };
        }),
      );
      for (const { fn, outcome } of results) {
        checks += 1;
        if (outcome === "ok") continue;
        failures += 1;
        firstFailure ??= { functionName: fn.functionName, afterMs: clock() - startedAt, outcome };
      }
      if (firstFailure) {
        options.log(
          `  canary: health invoke of ${firstFailure.functionName}'s new version ${firstFailure.outcome}`,
        );
        decide();
        return;
      }
      const due = Math.min(startedAt + tick * plan.healthIntervalMs, end);
      if (clock() >= end) return;
      await delay(Math.max(0, due - clock()), undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();

  const watches = await Promise.all(
    options.functions.map(async (fn, index): Promise<CanaryWatch> => {
      const rules = rulesPer[index] ?? { rollback: [], hold: [] };
      const baseline = baselines[index] ?? { valueMs: null, source: "not read" };
      const target = { kind: "canary", functionName: fn.functionName, version: fn.newVersion } as const;
      try {
        const watched: WatchedFunction = await watchFunction({
          aws,
          functionName: fn.functionName,
          aliasName: options.alias,
          target,
          startedAt,
          windowMs: plan.windowMs,
          intervalMs: plan.intervalMs,
          rules: [...rules.rollback, ...rules.hold],
          ratePerMinute: plan.syntheticPerMinute,
          service: options.service,
          signal: stop.signal,
          onPoll: (decision) => {
            if (decision.kind === "continue") return;
            if (decision.kind === "fail") {
              options.log(`  canary: ${fn.functionName}: ${decision.reason}`);
              decide();
            }
          },
        });
        return {
          functionName: fn.functionName,
          newVersion: fn.newVersion,
          baseline,
          decision: watched.decision,
          traffic: watched.traffic,
        };
      } catch (error) {
        if (!(error instanceof MonitorAbortedError)) throw error;
        return {
          functionName: fn.functionName,
          newVersion: fn.newVersion,
          baseline,
          decision: null,
          traffic: null,
        };
      }
    }),
  );
  // Every watcher finished: the window ended (or all were stopped); the health loop stops with them.
  stop.abort();
  await healthLoop;
  const health: CanaryHealth = { checks, failures, firstFailure };
  const outcome = judgeCanary({
    watches,
    health,
    holdRuleIds: rulesPer.flatMap((r) => r.hold.map((rule) => rule.id)),
    decidedAfterMs: (decidedAt ?? clock()) - startedAt,
    plan,
  });
  return { outcome, watches, health, rules: rulesPer[0] ?? { rollback: [], hold: [] } };
}
