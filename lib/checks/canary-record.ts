/**
 * The canary a promotion ran, as it hands it to the verification run it starts (HARNESS_CANARY_RECORD): Lambda
 * keeps no history of alias weights, so once the traffic has shifted to 100% this record is the only evidence
 * of the 10% share (access runbook 4.3.4). Read and judged here; written by `npm run promote`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export const CanaryRecordSchema = z.object({
  schemaVersion: z.literal(1),
  /** The promotion run that ran it. */
  runId: z.string().min(1),
  weightPercent: z.number(),
  windowMs: z.number().int().positive(),
  /** How long the share ran before the decision. */
  decidedAfterMs: z.number().int().nonnegative(),
  outcome: z.enum(["pass", "rollback", "hold", "inconclusive"]),
  reason: z.string(),
  /** A person's decision on a held canary. */
  decision: z.enum(["proceed", "rollback"]).nullable(),
  functions: z.array(z.object({ functionName: z.string().min(1), newVersion: z.string().min(1) })).min(1),
});
export type CanaryRecord = z.infer<typeof CanaryRecordSchema>;

/** The record in `file`, or why it cannot be used. */
export function readCanaryRecord(file: string): { record: CanaryRecord } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return {
      problem: `the canary record ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const parsed = CanaryRecordSchema.safeParse(raw);
  return parsed.success
    ? { record: parsed.data }
    : {
        problem: `the canary record ${file} is not one (${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")})`,
      };
}
