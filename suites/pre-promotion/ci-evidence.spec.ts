/**
 * The service repository's CI for the commit being promoted (tenant runbook 3.1; access runbook 2.2, 3.1, 4.1,
 * 4.3.1): unit and integration tests, lint, type check, coverage, security scan and the final SIT suite, read
 * from the report files those tools write (--ci-evidence <dir>). A missing file is a missing attestation.
 */
import {
  checkCiEvidence,
  ciEvidenceItems,
  serviceVariants,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("pre-promotion: the service's CI evidence", () => {
  for (const variant of serviceVariants()) {
    for (const item of ciEvidenceItems(variant.serviceId)) {
      test(`CI evidence: ${item.title}${variant.suffix}`, {
        tag: [...variant.tag],
        ...verifies(item.id),
      }, async ({ requireApplicable, gate, environment }) => {
        requireApplicable([item.id], `${item.id} does not apply to ${environment.displayName}.`);
        const findings = (item.ciEvidence ?? []).map((kind) =>
          checkCiEvidence(gate.ciEvidenceDir, kind, item.thresholds),
        );
        await settle(findings, "CI evidence");
      });
    }
  }
});
