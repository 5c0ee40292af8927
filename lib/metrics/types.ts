import { z } from "zod";

/** Outcome of one metric check (principle 8: inconclusive is neither a pass nor a failure). */
export type CheckStatus = "passed" | "failed" | "inconclusive";

/** A check's verdict with the reason a person reads and the numbers it was based on. */
export interface CheckResult {
  readonly status: CheckStatus;
  readonly reason: string;
  /** The numbers behind the verdict (null = not measurable), attached to reports as evidence. */
  readonly observed: Readonly<Record<string, number | null>>;
}

/** One CloudWatch datapoint: `timestamp` is the start of its period in epoch milliseconds. */
export const DatapointSchema = z.object({
  timestamp: z.number().finite(),
  value: z.number().finite(),
});
export type Datapoint = z.infer<typeof DatapointSchema>;

export const comparisons = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Comparison = (typeof comparisons)[number];

/** The condition under which a measured value counts as a failure (a rollback trigger). */
export interface FailWhen {
  readonly comparison: Comparison;
  readonly value: number;
}

/** Whether `actual <comparison> limit` holds. */
export function compare(actual: number, comparison: Comparison, limit: number): boolean {
  switch (comparison) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    case "!=":
      return actual !== limit;
  }
}

/** The comparison that holds exactly when `comparison` does not. */
export function negate(comparison: Comparison): Comparison {
  const opposite = { "<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==" } as const;
  return opposite[comparison];
}

/** Formats a number for a reason string without float noise (0.30000000000000004 -> 0.3). */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}
