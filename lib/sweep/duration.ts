import { DurationFormatError } from "./errors.ts";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration written like `30m`, `90s`, `2h`, `1d` or `0`. */
export function parseDuration(input: string): number {
  const trimmed = input.trim();
  if (trimmed === "0") return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(trimmed);
  const amount = match?.[1];
  const unit = match?.[2];
  if (amount === undefined || (unit !== "s" && unit !== "m" && unit !== "h" && unit !== "d")) {
    throw new DurationFormatError(input);
  }
  return Math.round(Number(amount) * UNIT_MS[unit]);
}

/** A duration in the largest whole unit that fits, for messages (`1800000` -> `30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
