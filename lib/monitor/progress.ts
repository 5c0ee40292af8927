import type { MonitorDecision } from "./types.ts";

/**
 * One progress line of a monitoring window, so a long watch (PROD: 5 minutes) never looks like a hang:
 * `monitoring bbws-tenant-instance-management-sit: 20 of 30 s, poll 2, no threshold crossed`.
 */
export function monitorProgressLine(
  functionName: string,
  decision: MonitorDecision,
  windowMs: number,
): string {
  const seconds = (ms: number) => Math.round(ms / 1000);
  const where = `${seconds(Math.min(decision.elapsedMs, windowMs))} of ${seconds(windowMs)} s, poll ${decision.polls}`;
  const what =
    decision.kind === "continue"
      ? "no threshold crossed"
      : decision.kind === "fail"
        ? `FAILED: ${decision.reason}`
        : `${decision.kind}: ${decision.reason}`;
  return `monitoring ${functionName}: ${where}, ${what}`;
}
