import type { Threshold } from "../../runbooks/schema.ts";
import { type FailWhen, negate } from "./types.ts";

/** The failing condition of a runbook threshold: a trigger fails as written, a requirement fails when it
 * no longer holds (errors < 10 fails at errors >= 10). */
export function failWhenFromThreshold(
  threshold: Pick<Threshold, "comparison" | "value" | "sense">,
): FailWhen {
  return threshold.sense === "trigger"
    ? { comparison: threshold.comparison, value: threshold.value }
    : { comparison: negate(threshold.comparison), value: threshold.value };
}
