/** Turns findings into a test outcome: attach the (redacted) evidence, then fail, mark inconclusive or pass. */
import { markInconclusive, test } from "../../../fixtures/index.ts";
import { redactor } from "../../../lib/redact/index.ts";
import { PostDeployCheckError } from "./errors.ts";
import { combine, type Finding } from "./finding.ts";

/** Attaches each finding's evidence and ends the test with the worst status; a failure lists every reason. */
export async function settle(findings: readonly Finding[], what: string): Promise<void> {
  const info = test.info();
  for (const [index, finding] of findings.entries()) {
    await info.attach(`${what} ${index + 1} (${finding.status})`, {
      body: JSON.stringify(
        redactor.redactValue({ status: finding.status, reason: finding.reason, evidence: finding.evidence }),
        null,
        2,
      ),
      contentType: "application/json",
    });
  }
  if (findings.length === 0) {
    markInconclusive(`${what}: nothing was checked.`);
  }
  const overall = combine(findings);
  if (overall.status === "failed") throw new PostDeployCheckError(redactor.redact(overall.reason));
  if (overall.status === "inconclusive") markInconclusive(redactor.redact(overall.reason));
}

/** Ends a test that has nothing to verify for this service and environment: skipped as not applicable. */
export { notApplicable } from "../../../fixtures/index.ts";
