/**
 * GET /health against the contract (beyond health.spec.ts's runbook checks): no token needed, strict
 * schema, x-request-id, the latency budget; and the contract's error envelope for an unknown route.
 */

import { SMOKE_ITEMS as ITEMS, smoke, TAGS, test } from "../../fixtures/index.ts";

test.describe("health contract", () => {
  test(
    "GET /health needs no token and answers with the contract's Health document",
    smoke({ tags: [TAGS.readonly, TAGS.probe], verifies: [ITEMS.apiHealth], operations: ["health"] }),
    async ({ contract, environment }) => {
      const anonymous = await contract.ok("health", { auth: "none" });
      contract.behaves(
        "health",
        anonymous.environment === environment.id,
        `health reports environment ${anonymous.environment}, the target is ${environment.id}`,
      );
      const withToken = await contract.ok("health");
      contract.behaves(
        "health",
        withToken.version === anonymous.version,
        "the version depends on the caller",
      );
    },
  );
});
