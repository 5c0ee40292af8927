/** A test-only runbook: small enough to reason about, shaped like the real ones. */
import { RunbookSchema } from "../../../runbooks/schema.ts";

export const miniRunbook = RunbookSchema.parse({
  id: "mini",
  title: "Mini runbook (test data)",
  service: "tenant-instance-management",
  source: "tests/fixtures-data/traceability/mini-runbook.ts",
  sections: [
    {
      number: "1",
      title: "Checks",
      suite: "smoke",
      items: [
        { id: "mini/1/health", title: "Health answers", kind: "automated", environments: ["dev"] },
        { id: "mini/1/auth", title: "Auth is enforced", kind: "automated", environments: ["dev", "sit"] },
        {
          id: "mini/1/unmapped",
          title: "An automated item no test declares",
          kind: "automated",
          environments: ["prod"],
          thresholds: [
            { metric: "lambda.errors", comparison: "<", value: 5, unit: "count", windowSeconds: 86_400 },
          ],
        },
      ],
    },
    {
      number: "2",
      title: "Sign-off",
      suite: "none",
      items: [
        {
          id: "mini/2/uat-signed-off",
          title: "UAT signed off",
          kind: "attested",
          attestedBy: "qa-lead",
          environments: ["prod"],
        },
      ],
    },
  ],
});
