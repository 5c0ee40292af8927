import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UnknownRunbookItemError } from "../../fixtures/errors.ts";
import { verifies } from "../../fixtures/verifies.ts";

describe("verifies", () => {
  test("turns item ids into runbook-item annotations, once each", () => {
    assert.deepEqual(
      verifies(
        "tenant-deploy/5.1/health-direct-invoke",
        "tenant-deploy/5.2/api-health",
        "tenant-deploy/5.2/api-health",
      ),
      {
        annotation: [
          { type: "runbook-item", description: "tenant-deploy/5.1/health-direct-invoke" },
          { type: "runbook-item", description: "tenant-deploy/5.2/api-health" },
        ],
      },
    );
  });

  test("rejects ids no runbook defines while the spec loads, listing them with a nearby id", () => {
    assert.throws(
      () => verifies("tenant-deploy/5.1/health-direct-invoke", "tenant-deploy/5.1/helth", "nope/1/x"),
      (error: unknown) =>
        error instanceof UnknownRunbookItemError &&
        error.ids.join(",") === "tenant-deploy/5.1/helth,nope/1/x" &&
        error.message.includes(
          "tenant-deploy/5.1/helth (did you mean tenant-deploy/5.1/health-direct-invoke?)",
        ) &&
        error.message.includes("runbooks/"),
    );
  });

  test("rejects an empty list: a test must name what it verifies", () => {
    assert.throws(() => verifies(), UnknownRunbookItemError);
  });
});
