/** Per-item judgements of the shared monitoring window, so a fault fails its own item and no other; and the canary's weight. */

import type { Threshold } from "../../runbooks/index.ts";
import { formatNumber } from "../metrics/index.ts";
import { describeWindowTraffic } from "../monitor/index.ts";
import type { CanaryRecord } from "./canary-record.ts";
import { combine, type Finding, failed, inconclusive, passed } from "./finding.ts";
import type { FunctionState } from "./lambda.ts";
import { canaryVersionOf, type FunctionWindow } from "./window.ts";

/** How one runbook item fared in each function's window; no window at all is inconclusive (nothing watched). */
export function judgeWindowItem(itemId: string, windows: readonly FunctionWindow[]): Finding {
  if (windows.length === 0) {
    return inconclusive(`No monitoring window ran, so ${itemId} was not watched.`, { itemId });
  }
  return combine(windows.map((w) => judgeOne(itemId, w)));
}

function judgeOne(itemId: string, w: FunctionWindow): Finding {
  const rules = w.rules.filter((r) => r.itemIds.includes(itemId));
  const { decision } = w;
  const evidence = {
    functionName: w.functionName,
    target: w.target,
    windowStartedAt: new Date(w.startedAt).toISOString(),
    rules: rules.map((r) => ({ id: r.id, measure: r.measure, failWhen: r.failWhen, forMs: r.forMs ?? null })),
    baseline: w.baseline,
    decision: {
      kind: decision.kind,
      reason: decision.reason,
      elapsedMs: decision.elapsedMs,
      polls: decision.polls,
    },
    series: decision.evidence,
    traffic: w.traffic,
  };
  if (rules.length === 0) {
    const skipped = w.skipped.filter((s) => s.itemId === itemId).map((s) => `${s.metric}: ${s.reason}`);
    return inconclusive(
      `${w.functionName}: no monitor rule watches ${itemId}${skipped.length > 0 ? ` (${skipped.join("; ")})` : " (it has no Lambda threshold)"}.`,
      evidence,
    );
  }
  // Every judgement of a watched item says how much of what was judged was the window's own traffic.
  const traffic = describeWindowTraffic(w.traffic);
  switch (decision.kind) {
    case "fail": {
      const mine = decision.breaches.filter((b) => b.itemIds.includes(itemId));
      if (mine.length > 0) {
        return failed(
          `${w.functionName}: ${mine.map((b) => b.reason).join(" ")} Detected ${formatNumber(decision.elapsedMs / 1000)} s into the window, ${formatNumber((decision.at - (mine[0]?.onsetAt ?? decision.at)) / 1000)} s after its onset. ${traffic}`,
          { ...evidence, breaches: mine },
        );
      }
      return inconclusive(
        `${w.functionName}: the window stopped after ${formatNumber(decision.elapsedMs / 1000)} s because ${decision.breach.ruleId} crossed its threshold, so ${itemId} was not watched for the full window. ${traffic}`,
        evidence,
      );
    }
    case "inconclusive":
      return decision.itemIds.includes(itemId)
        ? inconclusive(`${w.functionName}: ${decision.reason} ${traffic}`, evidence)
        : passed(
            `${w.functionName}: ${itemId} held for the full window (another item lacked data: ${decision.reason}) ${traffic}`,
            evidence,
          );
    case "pass":
      return passed(`${w.functionName}: ${decision.reason} ${traffic}`, evidence);
  }
}

/** A finding read from the metrics of a window's span (the CloudWatch metrics checks), with the window's synthetic
 * share added to its reason and evidence: a metric that passed on the harness's own traffic says so. */
export function withWindowTraffic(finding: Finding, window: FunctionWindow | undefined): Finding {
  if (window === undefined) return finding;
  return {
    ...finding,
    reason: `${finding.reason} ${describeWindowTraffic(window.traffic)}`,
    evidence: { ...finding.evidence, traffic: window.traffic },
  };
}

/**
 * Access runbook 4.3.4: while an alias splits traffic, the new version receives the runbook's share (10%). Lambda
 * keeps no history of alias weights, so without a split now the weight is judged from the canary record of the
 * promotion that deployed the versions served now (HARNESS_CANARY_RECORD); without either it cannot be
 * observed (inconclusive).
 */
export function judgeCanaryWeight(options: {
  itemId: string;
  serviceId: string;
  /** The item's thresholds; the canary.traffic-weight one (percent) is judged. */
  thresholds: readonly Threshold[];
  states: readonly FunctionState[];
  /** The promotion's canary record, or why it could not be read; undefined when none was handed over. */
  recorded?: { record: CanaryRecord } | { problem: string } | undefined;
}): Finding {
  const { itemId, states } = options;
  const canaries = states.flatMap((state) => {
    const version = canaryVersionOf(state.routing);
    return version === undefined ? [] : [{ state, version, weight: state.routing[version] ?? 0 }];
  });
  if (canaries.length === 0) return judgeRecordedCanary(options);
  const threshold = options.thresholds.find((t) => t.metric === "canary.traffic-weight");
  const findings = canaries.map(({ state, version, weight }) => {
    const percent = Math.round(weight * 1000) / 10;
    const evidence = {
      functionName: state.functionName,
      routing: state.routing,
      primary: state.aliased.functionVersion,
    };
    if (threshold === undefined) {
      return inconclusive(`${itemId} has no traffic-weight threshold to compare ${percent}% with.`, evidence);
    }
    return percent === threshold.value
      ? passed(
          `${state.functionName}: ${state.aliasName} sends ${percent}% to version ${version} (the canary).`,
          evidence,
        )
      : failed(
          `${state.functionName}: ${state.aliasName} sends ${percent}% to version ${version}, not the runbook's ${threshold.value}%.`,
          evidence,
        );
  });
  // One evidence entry per canary: combine() would merge them key by key and keep only the last.
  return {
    ...combine(findings),
    evidence: { itemId, threshold: threshold ?? null, canaries: findings.map((f) => f.evidence) },
  };
}

/** The canary weight from the promotion's record, once the alias no longer splits (see judgeCanaryWeight). */
function judgeRecordedCanary(options: Parameters<typeof judgeCanaryWeight>[0]): Finding {
  const { itemId, states, recorded } = options;
  const routing = Object.fromEntries(states.map((s) => [s.functionName, s.routing]));
  if (recorded === undefined) {
    return inconclusive(
      `no alias of ${options.serviceId} splits traffic now and no promotion handed over its canary record, so the canary's weight cannot be observed; run the post-deploy suite during the canary, or through \`npm run promote\`, to verify ${itemId}.`,
      { itemId, routing },
    );
  }
  if ("problem" in recorded) return failed(`${itemId}: ${recorded.problem}.`, { itemId, routing });
  const { record } = recorded;
  const evidence = { itemId, routing, canaryRecord: record };
  // The record must be of the versions served now: a canary of other versions says nothing about these.
  const stale = states.filter(
    (state) =>
      !record.functions.some(
        (fn) => fn.functionName === state.functionName && fn.newVersion === state.aliased.functionVersion,
      ),
  );
  if (stale.length > 0) {
    return failed(
      `${itemId}: the canary record of run ${record.runId} is for other versions than ${stale.map((s) => `${s.functionName}:${s.aliasName} -> ${s.aliased.functionVersion}`).join(", ")} serve now.`,
      evidence,
    );
  }
  const threshold = options.thresholds.find((t) => t.metric === "canary.traffic-weight");
  if (threshold === undefined)
    return inconclusive(`${itemId} has no traffic-weight threshold to compare the canary with.`, evidence);
  const ran = `${record.weightPercent}% for ${(record.decidedAfterMs / 1000).toFixed(1)} s of its ${(record.windowMs / 1000).toFixed(0)} s window`;
  if (record.weightPercent !== threshold.value)
    return failed(
      `${itemId}: the canary of run ${record.runId} routed ${ran}, not the runbook's ${threshold.value}%.`,
      evidence,
    );
  if (record.outcome !== "pass" && record.decision !== "proceed")
    return failed(
      `${itemId}: the canary of run ${record.runId} ended ${record.outcome} (${record.reason}), yet these versions serve.`,
      evidence,
    );
  const decided =
    record.decision === "proceed" ? " (held by its alert, then shifted on a person's decision)" : "";
  return passed(
    `The canary of run ${record.runId} routed ${ran} to ${record.functions.map((f) => `${f.functionName}:${f.newVersion}`).join(", ")} before the traffic shifted${decided} (from the promotion's canary record; the alias no longer splits).`,
    evidence,
  );
}
