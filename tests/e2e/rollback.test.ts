/**
 * `npm run rollback` end to end on one sandbox: to `previous` (tenant, SIT) and to an explicit app version
 * (access, SIT, every function and the deployed-version parameter), each verified by the rollback suite; a
 * missing --reason is a usage error that changes nothing; a rollback while a promotion holds the lock is refused
 * with the holder; a rollback SIGKILLed between its alias move and its record is completed by the next one
 * (--break-lock), and the records agree with the alias. The rollback suite's own failures (alias not moved,
 * CodeSha256 not its record's, a crashing restored build, errors that go on, no record) are shown on the
 * states they are about.
 */
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync, rmSync } from "node:fs";
import { IncomingMessage } from "node:http";
import { dirname } from "node:path";
import { describe, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetAliasCommand, GetFunctionConfigurationCommand, UpdateAliasCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { RollbackRecordSchema } from "../../lib/checks/index.ts";
import { acquireLock, deployLockTable, readLock, releaseLock } from "../../lib/promote/index.ts";
import type { EnvironmentId, ServiceId } from "../../runbooks/index.ts";
import { type CommandResult, runScript, runSuite, useTestSandbox, type VerifyRun } from "./support.ts";

const TENANT: ServiceId = "tenant-instance-management";
const ACCESS: ServiceId = "access-management";
const TENANT_SIT = "bbws-tenant-instance-management-sit";
const ACCESS_SIT = ["authorizer", "roles", "audit"].map((fn) => `bbws-access-sit-lambda-${fn}`);
/** A short recovery window: it opens when the suite starts watching, so its own health traffic runs. */
const WINDOW = {
  HARNESS_SIT_ROLLBACK_RECOVERY_WINDOW_SECONDS: "5",
  HARNESS_SIT_ROLLBACK_INTERVAL_SECONDS: "1",
  HARNESS_SIT_HTTP_LATENCY_BUDGET_MS: "8000",
} as const;

describe("npm run rollback on a sandbox", { timeout: 480_000 }, () => {
  const sb = useTestSandbox();

  function client<T>(
    make: (config: ConstructorParameters<typeof SSMClient>[0]) => T,
    env: EnvironmentId = "sit",
  ): T {
    const { endpoints } = sb.sandbox;
    const target = endpoints.environments[env];
    return make({
      endpoint: endpoints.awsEndpoint,
      region: target.region,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    });
  }
  const doc = () => client((config) => DynamoDBDocumentClient.from(new DynamoDBClient(config ?? {})));

  async function served(functionName: string) {
    const lambda = sb.lambda("sit");
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: "latest-sit" }));
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: alias.FunctionVersion }),
    );
    return {
      version: alias.FunctionVersion ?? "",
      appVersion: config.Description ?? "",
      codeSha256: config.CodeSha256 ?? "",
      routing: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
    };
  }

  async function newestRollback(service: ServiceId) {
    const d = doc();
    try {
      const out = await d.send(
        new QueryCommand({
          TableName: deployLockTable("sit"),
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": `ROLLBACK#${service}` },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      return out.Items?.[0] ? RollbackRecordSchema.parse(out.Items[0]) : null;
    } finally {
      d.destroy();
    }
  }

  const rollback = (args: string[], options: Parameters<typeof runScript>[3] = {}) =>
    runScript(sb, "scripts/rollback.ts", [...args, "--sandbox", "--initiator", "erin@bbws.example"], {
      ...options,
      env: { ...WINDOW, ...options.env },
    });

  const suite = (service: ServiceId) =>
    runSuite(sb, { env: "sit", suite: "rollback", service, args: ["--automated-only"], extraEnv: WINDOW });
  const itemOf = (run: VerifyRun, id: string) => run.verdict?.items.find((i) => i.id === id);

  test("to previous: the tenant service's latest-sit returns to its backup version, recorded and verified", async () => {
    const before = await served(TENANT_SIT);
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.0" });
    const bad = await served(TENANT_SIT);
    const run = await rollback(["--service", TENANT, "--env", "sit", "--reason", "1.7.0 breaks invitations"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /ROLLED BACK AND VERIFIED/);
    // The command watched the recovery window from its alias move and handed it to the rollback suite.
    assert.match(
      run.stderr,
      /recovery window watched from the alias move; reports\/promotions\/\S+\.recovery\.json/,
    );
    const after = await served(TENANT_SIT);
    assert.deepEqual([after.version, after.codeSha256], [before.version, before.codeSha256]);
    const record = await newestRollback(TENANT);
    assert.equal(record?.reason, "1.7.0 breaks invitations");
    assert.equal(record?.initiator, "erin@bbws.example");
    assert.deepEqual(
      record?.functions.map((f) => [f.fromVersion, f.toVersion]),
      [[bad.version, before.version]],
    );
  });

  test("to an explicit app version: every access function and deployed-version return to 1.8.0", async () => {
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.8.0" });
    const good = await Promise.all(ACCESS_SIT.map(served));
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.8.1" });
    const run = await rollback([
      "--service",
      ACCESS,
      "--env",
      "sit",
      "--reason",
      "1.8.1 audit gaps",
      "--target",
      "1.8.0",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const after = await Promise.all(ACCESS_SIT.map(served));
    assert.deepEqual(
      after.map((s) => [s.version, s.appVersion]),
      good.map((s) => [s.version, "1.8.0"]),
    );
    const ssm = client((config) => new SSMClient(config ?? {}));
    const parameter = await ssm.send(new GetParameterCommand({ Name: "/bbws-access/sit/deployed-version" }));
    ssm.destroy();
    assert.equal(parameter.Parameter?.Value, "v1.8.0");
  });

  test("without --reason it is a usage error (exit 2) and nothing changes", async () => {
    const before = await served(TENANT_SIT);
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.1" });
    const deployed = await served(TENANT_SIT);
    const run = await rollback(["--service", TENANT, "--env", "sit"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--reason "\.\.\." is required/);
    assert.equal((await served(TENANT_SIT)).version, deployed.version, "the alias did not move");
    assert.notEqual(deployed.version, before.version);
  });

  test("while a promotion holds the lock it refuses, naming the holder, and nothing changes", async () => {
    const d = doc();
    const table = deployLockTable("sit");
    const lock = await acquireLock(d, table, {
      service: TENANT,
      holder: "alice@bbws.example",
      runId: "r-promote-held",
      operation: "promote",
      target: { version: "1.9.0" },
    });
    try {
      const before = await served(TENANT_SIT);
      const run = await rollback(["--service", TENANT, "--env", "sit", "--reason", "during a promotion"]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /alice@bbws\.example holds the promote lock/);
      assert.equal((await served(TENANT_SIT)).version, before.version);
    } finally {
      await releaseLock(d, table, lock);
      d.destroy();
    }
  });

  test("SIGKILLed between its alias move and its record: the next rollback completes it, records consistent", async () => {
    // State from the previous test: SIT serves 1.7.1, its backup the version before.
    const deployed = await served(TENANT_SIT);
    const port = Number(new URL(sb.sandbox.endpoints.awsEndpoint).port);
    let pid = 0;
    let moved = false;
    let killed = false;
    const onRequest = (message: unknown) => {
      const request =
        typeof message === "object" &&
        message !== null &&
        "request" in message &&
        message.request instanceof IncomingMessage
          ? message.request
          : null;
      if (killed || pid === 0 || request === null || request.socket.localPort !== port) return;
      const path = (request.url ?? "").split("?")[0] ?? "";
      if (request.method === "PUT" && path.endsWith(`/functions/${TENANT_SIT}/aliases/latest-sit`))
        moved = true;
      // The lock update to "record-rollback" that follows the alias move: the record is never written.
      else if (moved && request.headers["x-amz-target"] === "DynamoDB_20120810.UpdateItem") {
        killed = true;
        process.kill(-pid, "SIGKILL");
      }
    };
    subscribe("http.server.request.start", onRequest);
    let run: CommandResult;
    try {
      run = await rollback(
        ["--service", TENANT, "--env", "sit", "--reason", "killed mid-way", "--no-verify"],
        {
          onSpawn: (p) => {
            pid = p;
          },
        },
      );
    } finally {
      unsubscribe("http.server.request.start", onRequest);
    }
    assert.equal(run.signal, "SIGKILL", run.stderr);
    const mid = await served(TENANT_SIT);
    assert.notEqual(mid.version, deployed.version, "the alias had moved");
    const d = doc();
    const lock = await readLock(d, deployLockTable("sit"), TENANT);
    d.destroy();
    assert.equal(lock?.operation, "rollback");
    assert.equal(lock?.step, "record-rollback", "the lock names the step it reached");
    assert.notEqual((await newestRollback(TENANT))?.reason, "killed mid-way", "no record was written");

    const resumed = await rollback([
      "--service",
      TENANT,
      "--env",
      "sit",
      "--reason",
      "completing the killed rollback",
      "--break-lock",
      "--lock-reason",
      "the rollback was killed",
      "--force",
      // Its verification is the first test's; this one is about the records.
      "--no-verify",
    ]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /completing its rollback to/);
    const after = await served(TENANT_SIT);
    assert.equal(
      after.version,
      mid.version,
      "completed to the version it was moving to, not rolled back further",
    );
    const record = await newestRollback(TENANT);
    assert.deepEqual(
      record?.functions.map((f) => f.toVersion),
      [after.version],
    );
    const d2 = doc();
    const deployments = await d2.send(
      new QueryCommand({
        TableName: "bbws-deployments-sit",
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": `DEPLOYMENT#${TENANT_SIT}` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    assert.equal(
      deployments.Items?.[0]?.functionVersion,
      after.version,
      "the newest deployment record names it",
    );
    assert.equal(await readLock(d2, deployLockTable("sit"), TENANT), null, "no lock is left");
    d2.destroy();
  });

  test("after a promotion killed mid-way (access 9.2): only the functions it moved go back", async () => {
    const before = await Promise.all(ACCESS_SIT.map(served));
    // The state a killed promotion leaves: every function backed up and copied, only the first one moved.
    await sb.sandbox.deploy({ env: "sit", service: ACCESS, appVersion: "1.8.2" });
    const lambda = sb.lambda("sit");
    for (const [index, fn] of ACCESS_SIT.entries()) {
      if (index === 0) continue;
      await lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: "latest-sit",
          FunctionVersion: before[index]?.version,
        }),
      );
    }
    const mixed = await Promise.all(ACCESS_SIT.map(served));
    assert.notEqual(mixed[0]?.version, before[0]?.version);
    const d = doc();
    await acquireLock(d, deployLockTable("sit"), {
      service: ACCESS,
      holder: "alice@bbws.example",
      runId: "r-promote-killed",
      operation: "promote",
      step: `move-alias ${ACCESS_SIT[0]}`,
      target: { version: "1.8.2" },
    });
    d.destroy();
    const run = await rollback([
      "--service",
      ACCESS,
      "--env",
      "sit",
      "--reason",
      "the 1.8.2 promotion was killed",
      "--break-lock",
      "--lock-reason",
      "promotion killed mid-way",
      "--force",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /never moved .*bbws-access-sit-lambda-roles/);
    const after = await Promise.all(ACCESS_SIT.map(served));
    assert.deepEqual(
      after.map((s) => s.version),
      before.map((s) => s.version),
      "every function serves what it served before the promotion, none rolled back further",
    );
    const record = await newestRollback(ACCESS);
    assert.deepEqual(
      record?.functions.filter((f) => f.fromVersion !== f.toVersion).map((f) => f.functionName),
      [ACCESS_SIT[0]],
      "the record names every function; only the one the promotion moved changed",
    );
  });

  test("the rollback suite fails on the item a broken rollback breaks", async () => {
    // Not recorded: the alias moved by hand, no ROLLBACK# record for it.
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.2" });
    const unrecorded = await suite(TENANT);
    assert.equal(unrecorded.code, 1, unrecorded.stdout);
    assert.equal(itemOf(unrecorded, "tenant-deploy/9.3/rollback-to-target-version")?.status, "failed");

    // Recorded, but the alias is not where the record says (it was never moved).
    const d = doc();
    const current = await served(TENANT_SIT);
    const record = await newestRollback(TENANT);
    assert.ok(record);
    const at = new Date().toISOString();
    await d.send(
      new PutCommand({
        TableName: deployLockTable("sit"),
        Item: {
          ...record,
          SK: at,
          rolledBackAt: at,
          startedAt: at,
          functions: record.functions.map((f) => ({ ...f, fromVersion: current.version })),
        },
      }),
    );
    d.destroy();
    const notMoved = await suite(TENANT);
    assert.equal(notMoved.code, 1);
    assert.equal(itemOf(notMoved, "tenant-deploy/9.3/rollback-to-target-version")?.status, "failed");

    // A restored build whose health check crashes: the health item fails, and so does the whole command.
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.3", fault: { kind: "health-crash" } });
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.4" });
    const back = ["--service", TENANT, "--env", "sit", "--reason", "back to 1.7.3", "--target", "1.7.3"];
    const crash = await rollback([...back, "--no-verify"]);
    assert.equal(crash.code, 0, crash.stderr);
    const crashed = await suite(TENANT);
    assert.equal(itemOf(crashed, "tenant-deploy/9.4/rollback-verified")?.status, "failed");

    // The version rolled back to is not the package its deployment record names.
    const restored = await served(TENANT_SIT);
    const d3 = doc();
    const records = await d3.send(
      new QueryCommand({
        TableName: "bbws-deployments-sit",
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": `DEPLOYMENT#${TENANT_SIT}` },
      }),
    );
    const original = (records.Items ?? []).filter(
      (item) => item.functionVersion === restored.version && item.rollback !== true,
    );
    assert.ok(original.length > 0, "the sandbox recorded the deployment of 1.7.3");
    for (const item of original)
      await d3.send(
        new PutCommand({
          TableName: "bbws-deployments-sit",
          Item: { ...item, codeSha256: "dGFtcGVyZWQgcGFja2FnZSBvZiBhbm90aGVyIGJ1aWxk" },
        }),
      );
    d3.destroy();
    const tampered = await suite(TENANT);
    const code = itemOf(tampered, "tenant-deploy/9.4/code-matches-record");
    assert.equal(code?.status, "failed", JSON.stringify(code));

    // Errors go on after the rollback: the restored build fails half its calls.
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.5", fault: { kind: "flaky" } });
    await sb.sandbox.deploy({ env: "sit", appVersion: "1.7.6" });
    // The whole command this time: its own verification fails, and says so (exit 1).
    const flaky = await rollback([
      "--service",
      TENANT,
      "--env",
      "sit",
      "--reason",
      "back to 1.7.5",
      "--target",
      "1.7.5",
    ]);
    assert.equal(flaky.code, 1, flaky.stderr);
    assert.match(flaky.stderr, /ROLLED BACK, VERIFICATION FAILED/);
    // The errors were caught in the window the command watched from the alias move and handed over.
    assert.match(flaky.stderr, /recovery window watched from the alias move/);
    const verdictFile = /rollback verdict (\S+verdict\.json): exit/.exec(flaky.stderr)?.[1] ?? "";
    const verdict = JSON.parse(readFileSync(verdictFile, "utf8")) as {
      items: Array<{ id: string; status: string }>;
    };
    const errors = verdict.items.find((i) => i.id === "tenant-deploy/9.4/errors-recovered");
    assert.equal(errors?.status, "failed", JSON.stringify(errors));
    rmSync(dirname(verdictFile), { recursive: true, force: true });
  });
});
