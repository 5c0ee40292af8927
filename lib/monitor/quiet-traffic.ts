/**
 * The window's own read-only traffic while the function is quiet: wraps the window's poll, decides at every
 * poll (`isQuiet`) whether to send, and sends `ratePerMinute` requests a minute, evenly spaced, until the
 * window closes, the function's own traffic catches up, or the monitor decides. Every request is counted.
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import {
  countOutcome,
  isQuiet,
  NO_SYNTHETIC,
  observedInvocations,
  type SyntheticCounts,
  type SyntheticMode,
  type SyntheticOutcome,
} from "./quiet.ts";
import type { MonitorTarget, Snapshot } from "./types.ts";

/**
 * Where the synthetic requests of one deployment's window are counted. Playwright may watch the same
 * deployment in two workers at once; only one may drive, and both must subtract the same synthetic calls from
 * what the metrics saw, or one worker's traffic would be counted as the function's own by the other.
 */
export interface SyntheticLedger {
  /** True when this window drives the traffic (it claimed it, or no other live window had). */
  claim(): boolean;
  add(outcome: SyntheticOutcome): void;
  /** Every synthetic request of this deployment's window so far, whoever sent it. */
  read(): SyntheticCounts;
}

/** A ledger for one process. */
export function memoryLedger(): SyntheticLedger {
  let counts = NO_SYNTHETIC;
  return {
    claim: () => true,
    add: (outcome) => {
      counts = countOutcome(counts, outcome);
    },
    read: () => counts,
  };
}

const CountsSchema = z.object({
  sent: z.number().int().nonnegative(),
  invocations: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  refused: z.number().int().nonnegative(),
  unanswered: z.number().int().nonnegative(),
  elsewhere: z.number().int().nonnegative(),
});

/**
 * A ledger shared through files in `dir` (the run folder): `<key hash>.lock` names the driving process (a lock
 * left by a worker that died is taken over), `<key hash>.json` holds the counts the driver wrote last.
 */
export function fileLedger(dir: string, key: string): SyntheticLedger {
  const base = join(dir, `synthetic-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`);
  const lockFile = `${base}.lock`;
  const countsFile = `${base}.json`;
  let own = false;
  let counts = NO_SYNTHETIC;
  const readShared = (): SyntheticCounts => {
    try {
      const parsed = CountsSchema.safeParse(JSON.parse(readFileSync(countsFile, "utf8")));
      return parsed.success ? parsed.data : NO_SYNTHETIC;
    } catch {
      return NO_SYNTHETIC;
    }
  };
  return {
    claim() {
      if (own) return true;
      mkdirSync(dir, { recursive: true });
      try {
        const fd = openSync(lockFile, "wx");
        writeSync(fd, String(process.pid));
        closeSync(fd);
        own = true;
      } catch {
        const holder = Number(readFileSafe(lockFile));
        if (holder === process.pid) own = true;
        else if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
          // The driver died (Playwright replaces a worker after a failure): carry on from its counts.
          writeFileSync(lockFile, String(process.pid));
          own = true;
        }
      }
      if (own) counts = readShared();
      return own;
    },
    add(outcome) {
      counts = countOutcome(counts, outcome);
      const tmp = `${countsFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(counts));
      renameSync(tmp, countsFile);
    },
    read: () => (own ? counts : readShared()),
  };
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Options of `quietTraffic`. */
export interface QuietTrafficOptions {
  /** Requests a minute while quiet; 0 sends nothing. */
  readonly ratePerMinute: number;
  readonly target: MonitorTarget;
  readonly startedAt: number;
  readonly windowMs: number;
  readonly periodMs: number;
  /**
   * Where the quiet rule counts the function's own calls, when not from the window's poll: the deployed version
   * alone (its ExecutedVersion series), because a 1-minute period that straddles the deployment also holds the
   * calls the previous version served, which would make a quiet new build look busy.
   */
  readonly quietPoll?: { readonly target: MonitorTarget; readonly poll: () => Promise<Snapshot> };
  /** Sends one read-only request through the same client as the checks, and says how it ended. */
  readonly send: () => Promise<SyntheticOutcome>;
  readonly ledger?: SyntheticLedger;
  readonly clock?: () => number;
}

/** What `stop` reports: the counts and how the traffic was decided. */
export interface QuietTrafficReport {
  readonly mode: SyntheticMode;
  readonly startedAfterSeconds: number | null;
  readonly synthetic: SyntheticCounts;
}

/** Wraps a window's poll with the quiet rule; `stop()` ends the traffic and reports it. */
export function quietTraffic(options: QuietTrafficOptions): {
  poll: (inner: () => Promise<Snapshot>) => () => Promise<Snapshot>;
  stop: () => Promise<QuietTrafficReport>;
} {
  const clock = options.clock ?? Date.now;
  const ledger = options.ledger ?? memoryLedger();
  const windowEnd = options.startedAt + options.windowMs;
  const spacingMs = options.ratePerMinute > 0 ? 60_000 / options.ratePerMinute : Number.POSITIVE_INFINITY;
  let sending = false;
  let stopped = false;
  let drove = false;
  let drivenElsewhere = false;
  let polledLive = false;
  let startedAfterMs: number | null = null;
  let loop: Promise<void> | null = null;
  const stopSignal = new AbortController();

  const run = async () => {
    let next = clock();
    while (!stopped && clock() < windowEnd) {
      if (!sending) {
        await pause(200);
        next = clock();
        continue;
      }
      ledger.add(await options.send().catch((): SyntheticOutcome => "unanswered"));
      next += spacingMs;
      const wait = next - clock();
      // A slow request does not make the traffic burst afterwards to catch up.
      if (wait > 0) await pause(wait);
      else next = clock();
    }
  };
  const pause = (ms: number) => delay(ms, undefined, { signal: stopSignal.signal }).catch(() => undefined);

  const decide = async (snapshot: Snapshot) => {
    if (stopped || options.ratePerMinute <= 0 || clock() >= windowEnd) return;
    polledLive = true;
    const quietPoll = options.quietPoll;
    // Unreadable: no evidence of the function's own traffic, so it counts as quiet (traffic is harmless).
    const own = quietPoll ? await quietPoll.poll().catch(() => ({ series: [] })) : snapshot;
    const now = clock();
    if (stopped || now >= windowEnd) return;
    const observed = observedInvocations(own, quietPoll?.target ?? options.target, options, now);
    const quiet = isQuiet({
      ratePerMinute: options.ratePerMinute,
      elapsedMs: now - options.startedAt,
      observedInvocations: observed,
      synthetic: ledger.read(),
    });
    if (quiet && !ledger.claim()) {
      drivenElsewhere = true;
      sending = false;
      return;
    }
    sending = quiet;
    if (quiet) {
      drove = true;
      startedAfterMs ??= now - options.startedAt;
      loop ??= run();
    }
  };

  return {
    poll: (inner) => async () => {
      const snapshot = await inner();
      await decide(snapshot);
      return snapshot;
    },
    async stop() {
      stopped = true;
      stopSignal.abort();
      await loop;
      const synthetic = ledger.read();
      const mode: SyntheticMode =
        options.ratePerMinute <= 0
          ? "off"
          : drove
            ? "driven"
            : drivenElsewhere || synthetic.sent > 0
              ? "driven-elsewhere"
              : polledLive
                ? "not-needed"
                : "late";
      return {
        mode,
        startedAfterSeconds: startedAfterMs === null ? null : Math.round(startedAfterMs / 100) / 10,
        synthetic,
      };
    },
  };
}
