/**
 * When the monitoring window drives its own read-only traffic, and how that traffic is counted: pure, so the
 * quiet rule and the share the verdict reports are unit-tested on plain numbers. (Not to be confused with
 * `synthetic.ts`, which simulates what CloudWatch would answer, for tests and the bench.)
 */
import { formatNumber } from "../metrics/types.ts";
import { pointsInRange, sumValues } from "../metrics/window.ts";
import { scopeSeries } from "./select.ts";
import type { MonitorTarget, Snapshot } from "./types.ts";

/** How one synthetic request ended. `elsewhere`: it ran, but on a version the window does not watch (canary). */
export type SyntheticOutcome = "ok" | "failed" | "refused" | "unanswered" | "elsewhere";

/** The window's own requests, as the window counted them (plain data: it is shared between workers as JSON). */
export interface SyntheticCounts {
  /** Requests sent. */
  readonly sent: number;
  /** Of those, invocations of the watched target: answered by its code, well or not (`ok` + `failed`). */
  readonly invocations: number;
  /** Invocations that failed: a function error, or an answer other than statusCode 200. */
  readonly failed: number;
  /** Refused by Lambda before any code ran (throttled, not ready): throttles, not invocations. */
  readonly refused: number;
  /** No answer at all (network, credentials): neither an invocation nor a throttle. */
  readonly unanswered: number;
  /** Ran on another version than the watched one (the alias's primary while a canary is judged alone). */
  readonly elsewhere: number;
}

export const NO_SYNTHETIC: SyntheticCounts = {
  sent: 0,
  invocations: 0,
  failed: 0,
  refused: 0,
  unanswered: 0,
  elsewhere: 0,
};

/** The counts after one more request. */
export function countOutcome(counts: SyntheticCounts, outcome: SyntheticOutcome): SyntheticCounts {
  const ran = outcome === "ok" || outcome === "failed";
  return {
    sent: counts.sent + 1,
    invocations: counts.invocations + (ran ? 1 : 0),
    failed: counts.failed + (outcome === "failed" ? 1 : 0),
    refused: counts.refused + (outcome === "refused" ? 1 : 0),
    unanswered: counts.unanswered + (outcome === "unanswered" ? 1 : 0),
    elsewhere: counts.elsewhere + (outcome === "elsewhere" ? 1 : 0),
  };
}

/** Invocations of the target in the window up to `at`, from one poll (the period still filling included). */
export function observedInvocations(
  snapshot: Snapshot,
  target: MonitorTarget,
  window: { startedAt: number; windowMs: number; periodMs: number },
  at: number,
): number {
  const end = Math.min(at, window.startedAt + window.windowMs);
  const { invocations } = scopeSeries(snapshot.series, target);
  return sumValues(
    pointsInRange(
      invocations,
      { startMs: window.startedAt, endMs: Math.max(end, window.startedAt + 1) },
      window.periodMs,
    ),
  );
}

/** The function's own invocations: what the metrics saw, less the window's own (never below zero, since the
 * metrics may not have published the newest synthetic calls yet). */
export function organicInvocations(observed: number, synthetic: SyntheticCounts): number {
  return Math.max(0, observed - synthetic.invocations);
}

/**
 * The quiet rule. The rate is also the bar: the function is quiet while its own invocations since the window
 * opened fall short of `ratePerMinute` a minute, i.e. fewer samples than the synthetic traffic would give.
 * Decided at every poll from the window's own data, so nothing is sent before the first poll and traffic stops
 * once organic calls catch up. A rate of 0 is never quiet (off).
 */
export function isQuiet(input: {
  readonly ratePerMinute: number;
  readonly elapsedMs: number;
  readonly observedInvocations: number;
  readonly synthetic: SyntheticCounts;
}): boolean {
  if (input.ratePerMinute <= 0 || input.elapsedMs <= 0) return false;
  const enough = (input.ratePerMinute * input.elapsedMs) / 60_000;
  return organicInvocations(input.observedInvocations, input.synthetic) < enough;
}

/** Why the window did, or did not, send traffic of its own. */
export type SyntheticMode =
  /** syntheticPerMinute is 0. */
  | "off"
  /** The window had closed before it was watched: traffic now cannot land in it. */
  | "late"
  /** The function's own traffic reached the rate at every poll. */
  | "not-needed"
  /** This window sent the traffic. */
  | "driven"
  /** Another worker's window of the same deployment sent it; this one counted it. */
  | "driven-elsewhere";

/** The window's traffic as the verdict reports it. */
export interface WindowTraffic {
  readonly ratePerMinute: number;
  readonly mode: SyntheticMode;
  /** Seconds into the window when the synthetic traffic started, or null. */
  readonly startedAfterSeconds: number | null;
  readonly synthetic: SyntheticCounts;
  /** Invocations of the target the window's metrics hold. */
  readonly observedInvocations: number;
  readonly organicInvocations: number;
  /** Synthetic invocations as a percentage of the observed ones (0-100, one decimal), null without invocations. */
  readonly syntheticPercent: number | null;
}

/** The window's traffic from its counts and the invocations its final metrics hold. */
export function windowTraffic(input: {
  readonly ratePerMinute: number;
  readonly mode: SyntheticMode;
  readonly startedAfterSeconds: number | null;
  readonly synthetic: SyntheticCounts;
  readonly observedInvocations: number;
}): WindowTraffic {
  const { synthetic, observedInvocations: observed } = input;
  const percent =
    observed > 0
      ? Math.round((Math.min(synthetic.invocations, observed) / observed) * 1000) / 10
      : synthetic.invocations > 0
        ? 100
        : null;
  return {
    ...input,
    organicInvocations: organicInvocations(observed, synthetic),
    syntheticPercent: percent,
  };
}

/** One sentence for the test's reason: how many of the window's invocations were synthetic, and how they fared. */
export function describeWindowTraffic(traffic: WindowTraffic): string {
  const { synthetic, observedInvocations: observed } = traffic;
  const rate = `${formatNumber(traffic.ratePerMinute)} a minute`;
  if (synthetic.sent === 0) {
    const why =
      traffic.mode === "off"
        ? "synthetic traffic is off (syntheticPerMinute 0)"
        : traffic.mode === "late"
          ? "the window had closed before it was watched"
          : `the function's own traffic reached ${rate}`;
    return `Synthetic traffic: none (${why}); all ${formatNumber(observed)} invocations in the window were the function's own.`;
  }
  const who = traffic.mode === "driven-elsewhere" ? "another worker's window" : "the window";
  const since =
    traffic.startedAfterSeconds === null ? "" : ` from ${formatNumber(traffic.startedAfterSeconds)} s`;
  const share =
    observed >= synthetic.invocations
      ? `${formatNumber(synthetic.invocations)} of the ${formatNumber(observed)} invocations in the window (${formatNumber(traffic.syntheticPercent ?? 0)}%) were synthetic`
      : `${formatNumber(synthetic.invocations)} synthetic invocations ran, but the metrics hold only ${formatNumber(observed)} (the newest may not be published yet)`;
  const extras = [
    `${formatNumber(synthetic.failed)} of them failed`,
    ...(synthetic.refused > 0 ? [`${formatNumber(synthetic.refused)} refused by Lambda`] : []),
    ...(synthetic.unanswered > 0 ? [`${formatNumber(synthetic.unanswered)} unanswered`] : []),
    ...(synthetic.elsewhere > 0 ? [`${formatNumber(synthetic.elsewhere)} ran on another version`] : []),
  ];
  return `Synthetic traffic: ${share}: read-only health invokes of the alias that ${who} sent${since} at ${rate} while the function's own traffic was below that (${formatNumber(synthetic.sent)} sent; ${extras.join(", ")}).`;
}
