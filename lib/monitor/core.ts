import { describeLimit } from "../metrics/checks.ts";
import type { Datapoint } from "../metrics/types.ts";
import { compare, formatNumber } from "../metrics/types.ts";
import { longestGapMs, mergeSeries, pointsInRange, sumValues } from "../metrics/window.ts";
import { MonitorConfigError } from "./errors.ts";
import { scopeSeries } from "./select.ts";
import type {
  Measure,
  MonitorConfig,
  MonitorDecision,
  MonitorRule,
  PollFailure,
  RuleBreach,
  ScopedSeries,
  Snapshot,
} from "./types.ts";

/** The monitor between polls. Treat as opaque and immutable; `observe` returns the next one. */
export interface MonitorState {
  readonly config: MonitorConfig;
  readonly series: ScopedSeries;
  readonly polls: number;
  /** Time of the last poll that read metrics (epoch ms), or null before the first. */
  readonly lastReadAt: number | null;
  readonly lastFailure: string | null;
  /** Set once the monitor reached fail / pass / inconclusive; later polls change nothing. */
  readonly final: MonitorDecision | null;
}

const emptySeries: ScopedSeries = { errors: [], invocations: [], throttles: [], duration: {} };

/** A fresh monitor for a window; throws MonitorConfigError on a window it cannot run. */
export function createMonitor(config: MonitorConfig): MonitorState {
  validateConfig(config);
  return { config, series: emptySeries, polls: 0, lastReadAt: null, lastFailure: null, final: null };
}

/** Folds one poll (or a failed poll) into the monitor and decides: continue, fail, pass or inconclusive. */
export function observe(
  state: MonitorState,
  input: (Snapshot & { readonly at: number }) | PollFailure,
): { state: MonitorState; decision: MonitorDecision } {
  if (state.final) return { state, decision: state.final };
  const { config } = state;
  const at = input.at;
  const polls = state.polls + 1;
  const elapsedMs = at - config.startedAt;
  // Read long after it closed (a late run), the window is still only its own span of data.
  const end = Math.min(at, config.startedAt + config.windowMs);

  if ("failure" in input) {
    const next = { ...state, polls, lastFailure: input.failure };
    const silentFor = at - (state.lastReadAt ?? config.startedAt);
    if (silentFor > maxGapMs(config) || elapsedMs >= config.windowMs) {
      const decision = finalDecision(
        next,
        at,
        end,
        "inconclusive",
        unreadableReason(silentFor, input.failure),
        allItems(config),
      );
      return { state: { ...next, final: decision }, decision };
    }
    const decision: MonitorDecision = { kind: "continue", at, elapsedMs, polls };
    return { state: next, decision };
  }

  const scoped = scopeSeries(input.series, config.target);
  const series = mergeScoped(state.series, scoped);
  const next: MonitorState = { ...state, series, polls, lastReadAt: at, lastFailure: null };

  const breaches = config.rules
    .map((rule) => evaluateRule(rule, series, config, end))
    .filter((b): b is RuleBreach => b !== null)
    .sort((a, b) => a.onsetAt - b.onsetAt);
  const first = breaches[0];
  if (first) {
    const decision: MonitorDecision = {
      kind: "fail",
      at,
      elapsedMs,
      polls,
      breach: first,
      breaches,
      reason: `${first.reason} (${describeTarget(config)}) Detected ${formatNumber(Math.max(0, at - first.onsetAt) / 1000)} s after its onset, ${formatNumber(elapsedMs / 1000)} s into the ${formatNumber(config.windowMs / 1000)} s window.`,
      evidence: windowed(series, config, end),
    };
    return { state: { ...next, final: decision }, decision };
  }

  if (elapsedMs < config.windowMs) {
    return { state: next, decision: { kind: "continue", at, elapsedMs, polls } };
  }
  const decision = endOfWindow(next, at, end);
  return { state: { ...next, final: decision }, decision };
}

/** Runs a whole sequence of polls through a fresh monitor; returns the decision after each (for tests, replays). */
export function replay(
  config: MonitorConfig,
  inputs: ReadonlyArray<(Snapshot & { readonly at: number }) | PollFailure>,
): MonitorDecision[] {
  let state = createMonitor(config);
  const decisions: MonitorDecision[] = [];
  for (const input of inputs) {
    const result = observe(state, input);
    state = result.state;
    decisions.push(result.decision);
    if (result.decision.kind !== "continue") break;
  }
  return decisions;
}

function endOfWindow(state: MonitorState, at: number, end: number): MonitorDecision {
  const { config, series } = state;
  const range = { startMs: config.startedAt, endMs: end };
  const traffic = trafficPoints(series, config, end);
  const everyRuleAcceptsZero = config.rules.every((r) => r.zeroTrafficOk === true);

  if (traffic.length === 0) {
    if (everyRuleAcceptsZero) {
      return finalDecision(
        state,
        at,
        end,
        "pass",
        "No traffic during the window, which every watched runbook item accepts.",
        allItems(config),
      );
    }
    return finalDecision(
      state,
      at,
      end,
      "inconclusive",
      `No Invocations, Errors or Throttles datapoints for ${describeTarget(config)} during the ${formatNumber(config.windowMs / 1000)} s window, so the deployment cannot be judged (no data is not a pass). Send traffic during the window or check the metric dimensions.`,
      allItems(config),
    );
  }

  const gap = longestGapMs(traffic, range, config.periodMs, config.lagMs ?? 0);
  if (gap > maxGapMs(config) && !everyRuleAcceptsZero) {
    return finalDecision(
      state,
      at,
      end,
      "inconclusive",
      `The metrics for ${describeTarget(config)} have a ${formatNumber(gap / 1000)} s gap in the ${formatNumber(config.windowMs / 1000)} s window (more than the ${formatNumber(maxGapMs(config) / 1000)} s allowed), so part of the window was not observed. Check that traffic is steady and the metrics are published, then run again.`,
      allItems(config),
    );
  }

  const unjudged = config.rules.filter((rule) => !hasEvidence(rule, series, config, end));
  if (unjudged.length > 0) {
    return finalDecision(
      state,
      at,
      end,
      "inconclusive",
      `No data to judge ${unjudged.map((r) => r.id).join(", ")} for ${describeTarget(config)} (${unjudged.map((r) => missingWhat(r)).join("; ")}). No data is not a pass; check those metrics are published.`,
      [...new Set(unjudged.flatMap((r) => r.itemIds))],
    );
  }

  return finalDecision(
    state,
    at,
    end,
    "pass",
    `No threshold crossed for ${describeTarget(config)} during the full ${formatNumber(config.windowMs / 1000)} s window (${formatNumber(sumValues(inWindow(series.invocations, config, end)))} invocations, ${formatNumber(sumValues(inWindow(series.errors, config, end)))} errors, ${formatNumber(sumValues(inWindow(series.throttles, config, end)))} throttles, ${state.polls} polls).`,
    allItems(config),
  );
}

/** The breach of one rule in the data so far, or null. */
export function evaluateRule(
  rule: MonitorRule,
  series: ScopedSeries,
  config: MonitorConfig,
  at: number,
): RuleBreach | null {
  const { measure } = rule;
  switch (measure.kind) {
    case "error-count":
      return cumulativeBreach(rule, inWindow(series.errors, config, at), measureLabel(measure).what);
    case "throttle-count":
      return cumulativeBreach(rule, inWindow(series.throttles, config, at), measureLabel(measure).what);
    default: {
      const values = periodValues(measure, windowed(series, config, at), config.periodMs);
      if (values === null) return null;
      const { what, unit } = measureLabel(measure);
      return periodBreach(rule, values, config, at, what, unit);
    }
  }
}

/** How reasons name a per-period measure and its unit. */
export function measureLabel(measure: Measure): { what: string; unit: string } {
  switch (measure.kind) {
    case "error-count":
      return { what: "errors", unit: "" };
    case "throttle-count":
      return { what: "throttles", unit: "" };
    case "error-rate-percent":
      return { what: "error rate", unit: "%" };
    case "errors-per-minute":
      return { what: "errors per minute", unit: "/minute" };
    case "latency-ms":
      return { what: `${measure.stat} Duration`, unit: " ms" };
    case "latency-baseline-ratio":
      return {
        what: `${measure.stat} Duration / baseline ${formatNumber(measure.baselineMs ?? 0)} ms`,
        unit: "x",
      };
  }
}

/**
 * The values a per-period measure takes in each period of `series` (error rate in %, errors per minute, a Duration
 * percentile in ms, or its ratio to the baseline); null for the cumulative counts, which have no per-period value,
 * and for a ratio without a baseline. The monitor judges these; the manual-triggers table shows their peak.
 */
export function periodValues(measure: Measure, series: ScopedSeries, periodMs: number): Datapoint[] | null {
  switch (measure.kind) {
    case "error-count":
    case "throttle-count":
      return null;
    case "error-rate-percent": {
      const errors = new Map(series.errors.map((p) => [p.timestamp, p.value]));
      return series.invocations
        .filter((p) => p.value > 0)
        .map((p) => ({ timestamp: p.timestamp, value: ((errors.get(p.timestamp) ?? 0) / p.value) * 100 }));
    }
    case "errors-per-minute":
      return series.errors.map((p) => ({ timestamp: p.timestamp, value: (p.value * 60_000) / periodMs }));
    case "latency-ms":
      return [...(series.duration[measure.stat] ?? [])];
    case "latency-baseline-ratio": {
      const baseline = measure.baselineMs;
      if (baseline === null || baseline <= 0) return null;
      return (series.duration[measure.stat] ?? []).map((p) => ({
        timestamp: p.timestamp,
        value: p.value / baseline,
      }));
    }
  }
}

/** A cumulative count crosses at the period where the running total first meets the condition. */
function cumulativeBreach(rule: MonitorRule, points: readonly Datapoint[], what: string): RuleBreach | null {
  let total = 0;
  for (const p of points) {
    total += p.value;
    if (compare(total, rule.failWhen.comparison, rule.failWhen.value)) {
      const sum = sumValues(points);
      return {
        ruleId: rule.id,
        itemIds: rule.itemIds,
        reason: `${rule.id}: ${formatNumber(sum)} ${what} since the window opened, ${describeLimit(rule.failWhen)}.`,
        onsetAt: p.timestamp,
        observed: { [what]: sum, limit: rule.failWhen.value },
      };
    }
  }
  return null;
}

/** A per-period value crosses when one period does (no `forMs`), or when a run of crossing periods lasts
 * `forMs`. A period that recovers ends the run; a missing period does not, because absence is not recovery. */
function periodBreach(
  rule: MonitorRule,
  values: readonly Datapoint[],
  config: MonitorConfig,
  at: number,
  what: string,
  unit: string,
): RuleBreach | null {
  let onset: number | null = null;
  let worst = Number.NEGATIVE_INFINITY;
  for (const p of values) {
    if (!compare(p.value, rule.failWhen.comparison, rule.failWhen.value)) {
      onset = null;
      worst = Number.NEGATIVE_INFINITY;
      continue;
    }
    onset ??= Math.max(p.timestamp, config.startedAt);
    worst = Math.max(worst, p.value);
    // The newest period may still be filling: it has only lasted until now.
    const heldMs = Math.min(p.timestamp + config.periodMs, at) - onset;
    if (rule.forMs === undefined || heldMs >= rule.forMs) {
      const held =
        rule.forMs === undefined
          ? ""
          : ` for ${formatNumber(heldMs / 1000)} s (limit: ${formatNumber(rule.forMs / 1000)} s)`;
      return {
        ruleId: rule.id,
        itemIds: rule.itemIds,
        reason: `${rule.id}: ${what} reached ${formatNumber(worst)}${unit}${held}, ${describeLimit(rule.failWhen, unit)}.`,
        onsetAt: onset,
        observed: { worst, limit: rule.failWhen.value, heldMs, forMs: rule.forMs ?? null },
      };
    }
  }
  return null;
}

function hasEvidence(rule: MonitorRule, series: ScopedSeries, config: MonitorConfig, at: number): boolean {
  const { measure } = rule;
  const invocations = sumValues(inWindow(series.invocations, config, at));
  const throttles = sumValues(inWindow(series.throttles, config, at));
  switch (measure.kind) {
    case "error-count":
    case "errors-per-minute":
    case "error-rate-percent":
      return invocations > 0 || rule.zeroTrafficOk === true;
    case "throttle-count":
      return invocations > 0 || throttles > 0 || rule.zeroTrafficOk === true;
    case "latency-ms":
      return (
        inWindow(series.duration[measure.stat] ?? [], config, at).length > 0 ||
        (rule.zeroTrafficOk === true && invocations === 0)
      );
    case "latency-baseline-ratio":
      if (invocations === 0 && rule.zeroTrafficOk === true) return true;
      return (
        measure.baselineMs !== null &&
        measure.baselineMs > 0 &&
        inWindow(series.duration[measure.stat] ?? [], config, at).length > 0
      );
  }
}

function missingWhat(rule: MonitorRule): string {
  const { measure } = rule;
  if (measure.kind === "latency-baseline-ratio" && (measure.baselineMs === null || measure.baselineMs <= 0)) {
    return `no ${measure.stat} Duration baseline from the previous version`;
  }
  if (measure.kind === "latency-ms" || measure.kind === "latency-baseline-ratio")
    return `no ${measure.stat} Duration datapoints`;
  return "no invocations";
}

function trafficPoints(series: ScopedSeries, config: MonitorConfig, at: number): Datapoint[] {
  const all = [...series.invocations, ...series.errors, ...series.throttles].filter((p) => p.value > 0);
  return inWindow(all, config, at);
}

function inWindow(points: readonly Datapoint[], config: MonitorConfig, at: number): Datapoint[] {
  return pointsInRange(
    points,
    { startMs: config.startedAt, endMs: Math.max(at, config.startedAt + 1) },
    config.periodMs,
  );
}

function windowed(series: ScopedSeries, config: MonitorConfig, at: number): ScopedSeries {
  const duration: Record<string, Datapoint[]> = {};
  for (const [stat, points] of Object.entries(series.duration)) duration[stat] = inWindow(points, config, at);
  return {
    errors: inWindow(series.errors, config, at),
    invocations: inWindow(series.invocations, config, at),
    throttles: inWindow(series.throttles, config, at),
    duration,
  };
}

function mergeScoped(older: ScopedSeries, newer: ScopedSeries): ScopedSeries {
  const duration: Record<string, Datapoint[]> = {};
  for (const stat of new Set([...Object.keys(older.duration), ...Object.keys(newer.duration)])) {
    duration[stat] = mergeSeries(older.duration[stat] ?? [], newer.duration[stat] ?? []);
  }
  return {
    errors: mergeSeries(older.errors, newer.errors),
    invocations: mergeSeries(older.invocations, newer.invocations),
    throttles: mergeSeries(older.throttles, newer.throttles),
    duration,
  };
}

function finalDecision(
  state: MonitorState,
  at: number,
  end: number,
  kind: "pass" | "inconclusive",
  reason: string,
  itemIds: readonly string[],
): MonitorDecision {
  return {
    kind,
    at,
    elapsedMs: at - state.config.startedAt,
    polls: state.polls,
    reason,
    itemIds,
    evidence: windowed(state.series, state.config, end),
  };
}

function unreadableReason(silentForMs: number, failure: string): string {
  return `The metrics could not be read for ${formatNumber(silentForMs / 1000)} s (last failure: ${failure}), so the window was not observed. Check that CloudWatch is reachable with these credentials, then run again.`;
}

function allItems(config: MonitorConfig): string[] {
  return [...new Set(config.rules.flatMap((r) => r.itemIds))];
}

function describeTarget(config: MonitorConfig): string {
  const { target } = config;
  return target.kind === "function"
    ? target.functionName
    : `version ${target.version} of ${target.functionName} (${target.label ?? "canary"})`;
}

function maxGapMs(config: MonitorConfig): number {
  return config.maxGapMs ?? config.windowMs / 2;
}

function validateConfig(config: MonitorConfig): void {
  const problems: string[] = [];
  for (const key of ["windowMs", "intervalMs", "periodMs"] as const) {
    if (!Number.isFinite(config[key]) || config[key] <= 0)
      problems.push(`${key}: must be a positive number (got ${config[key]})`);
  }
  if (config.intervalMs > config.windowMs)
    problems.push(`intervalMs: ${config.intervalMs} is longer than the ${config.windowMs} ms window`);
  if (config.rules.length === 0)
    problems.push("rules: at least one rule is needed, or the monitor can only pass");
  const ids = config.rules.map((r) => r.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length > 0) problems.push(`rules: duplicate rule ids ${[...new Set(dupes)].join(", ")}`);
  if (problems.length > 0) {
    throw new MonitorConfigError(
      `The monitoring window cannot run with this configuration:\n${problems.map((p) => `  ${p}`).join("\n")}\nFix the runbook's monitoring settings or the override.`,
      { problems },
    );
  }
}
