/**
 * The account guard as a test of its own, in every suite project (runbook 2.1: AWS account access). Every
 * worker already ran the guard before its first test (fixtures/guard.ts); this test runs the same check
 * again with steps, so the report shows what was asked and what came back, and fails where it failed.
 */
import { ACCESS_TAG, attachGuardRecords, GUARD_TAG, guardTarget, test, verifies } from "../fixtures/index.ts";

const services = [
  { title: "Account guard: the credentials reach the environment's own AWS account", tags: [] },
  {
    title: "Account guard (access management): the credentials reach the environment's own AWS account",
    tags: [ACCESS_TAG],
  },
];

for (const { title, tags } of services) {
  test(
    title,
    { tag: [GUARD_TAG, "@readonly", "@probe", ...tags], ...verifies("tenant-deploy/2.1/aws-account-access") },
    async ({ aws, environment, service, runId }, testInfo) => {
      const result = await guardTarget({ aws, environment, service }, (stepTitle, body) =>
        test.step(stepTitle, body),
      );
      await attachGuardRecords(testInfo, result, runId);
      if (result.error) throw result.error;
    },
  );
}
