/**
 * Start-up timeline marks: with HARNESS_TIMELINE_FILE set, each process of a run (verify, the Playwright
 * runner, its workers) appends one JSON line per mark (`{event, pid, at, processStartedAt}`, epoch ms), so the
 * bench can show where the time before the first request goes. Unset, a mark costs one variable lookup.
 */
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export const TIMELINE_ENV = "HARNESS_TIMELINE_FILE";

export function markTimeline(event: string): void {
  const file = process.env[TIMELINE_ENV];
  if (!file) return;
  const at = performance.timeOrigin + performance.now();
  appendFileSync(
    file,
    `${JSON.stringify({ event, pid: process.pid, at: Math.round(at), processStartedAt: Math.round(performance.timeOrigin) })}\n`,
  );
}
