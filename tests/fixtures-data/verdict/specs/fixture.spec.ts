// Test data for tests/e2e/verdict-reporter.test.ts: which test runs is chosen with --grep.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "@playwright/test";

const verifies = (...ids: string[]) => ({
  annotation: ids.map((description) => ({ type: "runbook-item", description })),
});

test(
  "@flaky fails on its first attempt, passes on the retry",
  verifies("tenant-deploy/5.1/health-direct-invoke"),
  () => {
    if (test.info().retry === 0) throw new Error("expected 200 healthy, got 503 on the first attempt");
  },
);

test("@pass passes", verifies("tenant-deploy/5.1/health-direct-invoke"), () => {});

test("@slow waits until it is interrupted", verifies("tenant-deploy/5.1/health-direct-invoke"), async () => {
  writeFileSync(join(process.env.HARNESS_RUN_DIR ?? ".", "slow-started"), "");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});

test("@not-applicable has nothing to check here", verifies("tenant-deploy/5.1/health-direct-invoke"), () => {
  test.info().annotations.push({ type: "not-applicable", description: "no source environment" });
  test.info().skip(true, "not applicable: no source environment");
});

test(
  "@signable names the function it tested",
  verifies("tenant-deploy/5.1/health-direct-invoke"),
  async () => {
    // What the account guard records on a real run: without functions a verdict binds no bits and is not signed.
    await test.info().attach("guard-result", {
      body: JSON.stringify({ status: "passed" }),
      contentType: "application/json",
    });
    const functions = [
      {
        functionName: "bbws-tenant-instance-management-dev",
        alias: "latest-dev",
        functionVersion: "7",
        appVersion: "1.4.0",
        codeSha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      },
    ];
    await test.info().attach("version-under-test", {
      body: JSON.stringify({ functions }),
      contentType: "application/json",
    });
  },
);
