import { setTimeout as delay } from "node:timers/promises";
import { createMonitor, observe } from "./core.ts";
import { MonitorAbortedError } from "./errors.ts";
import type { MonitorConfig, MonitorDecision, MonitorRule, MonitorTarget, Snapshot } from "./types.ts";

/** Options of `runMonitor`: the pure monitor's settings plus how to poll and how time passes. */
export interface RunMonitorOptions {
  /** Reads the metrics once. A rejection counts as a failed poll (a gap), not as a failed check. */
  readonly poll: () => Promise<Snapshot>;
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly rules: readonly MonitorRule[];
  readonly target: MonitorTarget;
  /** Period of the polled datapoints (ms). Default 60000 (standard Lambda metrics). */
  readonly periodMs?: number;
  /** When the window opened (epoch ms). Default: the clock when `runMonitor` is called. */
  readonly startedAt?: number;
  readonly maxGapMs?: number;
  readonly lagMs?: number;
  /** Epoch milliseconds now. Default `Date.now`. */
  readonly clock?: () => number;
  /** Waits `ms`. Default: a timer. Tests pass one that advances a fake clock. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after every poll with its decision (progress output, evidence). */
  readonly onDecision?: (decision: MonitorDecision) => void;
  readonly signal?: AbortSignal;
}

/** The monitor's final decision and every decision on the way. */
export interface MonitorRun {
  readonly decision: Exclude<MonitorDecision, { kind: "continue" }>;
  readonly history: readonly MonitorDecision[];
}

/** Polls every interval until the pure monitor fails, passes after the full window, or gives up as inconclusive. */
export async function runMonitor(options: RunMonitorOptions): Promise<MonitorRun> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, { ref: true }));
  const config: MonitorConfig = {
    rules: options.rules,
    target: options.target,
    startedAt: options.startedAt ?? clock(),
    windowMs: options.windowMs,
    intervalMs: options.intervalMs,
    periodMs: options.periodMs ?? 60_000,
    ...(options.maxGapMs === undefined ? {} : { maxGapMs: options.maxGapMs }),
    ...(options.lagMs === undefined ? {} : { lagMs: options.lagMs }),
  };
  let state = createMonitor(config);
  const history: MonitorDecision[] = [];
  const windowEnd = config.startedAt + config.windowMs;

  for (let tick = 1; ; tick++) {
    // Polls land on the interval grid measured from the window's start, and the last one at its end,
    // so a slow poll does not push the schedule (or the pass) later.
    const due = Math.min(config.startedAt + tick * config.intervalMs, windowEnd);
    const wait = due - clock();
    if (wait > 0) await sleep(wait);
    if (options.signal?.aborted) {
      throw new MonitorAbortedError(
        `The monitoring window was stopped after ${history.length} polls, before it reached a decision. Run it again for a verdict.`,
        { polls: history.length },
        { cause: options.signal.reason },
      );
    }
    const input = await options.poll().then(
      // The driver's clock is the one the window is measured on, whatever the poll says.
      (snapshot) => ({ ...snapshot, at: clock() }),
      (error: unknown) => ({
        at: clock(),
        failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
    const result = observe(state, input);
    state = result.state;
    history.push(result.decision);
    options.onDecision?.(result.decision);
    if (result.decision.kind !== "continue") return { decision: result.decision, history };
    // A poll that came back after the grid point it was due at is followed immediately by the next one.
    while (config.startedAt + tick * config.intervalMs < clock() - config.intervalMs && due < windowEnd)
      tick++;
  }
}
