/**
 * The account guard (lib/aws checkAccountGuard) against the sandbox's STS and Lambda: what it records
 * when the credentials are the environment's own, another account's, pointed at nothing, or when the
 * alias under test does not exist. It never throws; the record carries the kind the verdict maps to an
 * exit code, and the message is redacted.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { STSClient } from "@aws-sdk/client-sts";
import { type AccountGuardInput, AccountMismatchError, checkAccountGuard } from "../../lib/aws/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";

let sandbox: SandboxHandle;
let stateDir: string;

const DEV = { id: "dev", accountId: "536580886816", displayName: "DEV" };

/** Runs the guard for DEV's tenant function with one environment's credentials against an endpoint. */
function guard(
  credentialsOf: "dev" | "prod",
  options: { endpoint?: string; alias?: string; awsProfile?: string; step?: AccountGuardInput["step"] } = {},
) {
  const env = sandbox.endpoints.environments[credentialsOf];
  const config = {
    region: sandbox.endpoints.environments.dev.region,
    endpoint: options.endpoint ?? sandbox.endpoints.awsEndpoint,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    maxAttempts: 1,
  };
  return checkAccountGuard({
    sts: new STSClient(config),
    lambda: new LambdaClient(config),
    environment: { ...DEV, ...(options.awsProfile ? { awsProfile: options.awsProfile } : {}) },
    functionNames: ["bbws-tenant-instance-management-dev"],
    alias: options.alias ?? "latest-dev",
    ...(options.step ? { step: options.step } : {}),
  });
}

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-account-guard-"));
  sandbox = await startSandbox({ stateDir, quiet: true });
});

after(async () => {
  await sandbox?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("checkAccountGuard", () => {
  test("the environment's own credentials pass and resolve the alias to version, app version and CodeSha256", async () => {
    const steps: string[] = [];
    const result = await guard("dev", {
      step: (title, body) => {
        steps.push(title);
        return body();
      },
    });
    assert.deepEqual(result.guard, {
      status: "passed",
      expectedAccountId: DEV.accountId,
      actualAccountId: DEV.accountId,
    });
    assert.equal(result.error, null);
    assert.equal(result.functions.length, 1);
    const [fn] = result.functions;
    assert.equal(fn?.functionName, "bbws-tenant-instance-management-dev");
    assert.equal(fn?.alias, "latest-dev");
    assert.match(fn?.functionVersion ?? "", /^\d+$/);
    assert.match(fn?.appVersion ?? "", /^\d+\.\d+\.\d+$/);
    assert.match(fn?.codeSha256 ?? "", /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(steps, [
      "Verify STS caller identity is account 536580886816 (DEV)",
      "Resolve alias latest-dev to the version under test",
    ]);
  });

  test("another account's credentials fail as account-mismatch, naming both accounts, and resolve nothing", async () => {
    const result = await guard("prod", { awsProfile: "bbws-prod" });
    assert.equal(result.guard.status, "failed");
    assert.equal(result.guard.kind, "account-mismatch");
    assert.equal(result.guard.expectedAccountId, DEV.accountId);
    assert.equal(result.guard.actualAccountId, "093646564004");
    assert.match(result.guard.message ?? "", /HARNESS_DEV_AWS_PROFILE/);
    assert.ok(result.error instanceof AccountMismatchError);
    assert.deepEqual(result.functions, []);
  });

  test("an endpoint nobody answers on fails as unreachable", async () => {
    const result = await guard("dev", { endpoint: "http://127.0.0.1:9" });
    assert.equal(result.guard.status, "failed");
    assert.equal(result.guard.kind, "unreachable");
    assert.equal(result.guard.actualAccountId, undefined);
  });

  test("an alias that does not exist fails as target-missing after the account passed", async () => {
    const result = await guard("dev", { alias: "no-such-alias" });
    assert.equal(result.guard.status, "failed");
    assert.equal(result.guard.kind, "target-missing");
    assert.equal(result.guard.actualAccountId, DEV.accountId);
    assert.match(result.guard.message ?? "", /no-such-alias/);
  });
});
