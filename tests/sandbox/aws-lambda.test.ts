/**
 * The sandbox's Lambda on its REST-JSON wire, driven by @aws-sdk/client-lambda: functions, versions,
 * aliases (weighted routing), Invoke and its runtime (worker per version, env, errors, timeouts),
 * concurrency throttling, AWS-style validation, and isolation between accounts and regions.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { generateCredentials } from "../../sandbox/accounts.ts";
import { type AwsSandbox, type SandboxAccount, startAwsServer } from "../../sandbox/aws/index.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const codeDir = `${repo}.sandbox/test-code-lambda-${randomBytes(4).toString("hex")}`;

function account(name: string, accountId: string): SandboxAccount {
  return { name, accountId, ...generateCredentials() };
}
const dev = account("dev", "536580886816");
const prod = account("prod", "093646564004");
const ROLE = "arn:aws:iam::536580886816:role/bbws-test";

/** A deployment package: index.mjs with `source` plus a manifest. */
function zipOf(source: string, appVersion = "1.0.0"): Uint8Array {
  return zipSync({
    "index.mjs": strToU8(source),
    "manifest.json": strToU8(JSON.stringify({ appVersion })),
  });
}

const echoHandler = (tag: string) => `
export const handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  if (event.fail) throw new TypeError("boom " + event.fail);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  return {
    tag: ${JSON.stringify(tag)},
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    region: process.env.AWS_REGION,
    accessKey: process.env.AWS_ACCESS_KEY_ID,
    endpoint: process.env.AWS_ENDPOINT_URL,
    custom: process.env.CUSTOM,
    requestId: context.awsRequestId,
    arn: context.invokedFunctionArn,
  };
};`;

let aws: AwsSandbox;
let lambda: LambdaClient;
let prodLambda: LambdaClient;

function clientFor(who: SandboxAccount, region = "eu-west-1"): LambdaClient {
  return new LambdaClient({
    endpoint: aws.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    maxAttempts: 1,
  });
}

async function createFunction(
  name: string,
  source: string,
  extra: { Timeout?: number; env?: Record<string, string> } = {},
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: zipOf(source) },
      Timeout: extra.Timeout,
      Environment: extra.env ? { Variables: extra.env } : undefined,
    }),
  );
}

function json(payload: Uint8Array | undefined): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString("utf8"));
  assert.ok(
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed),
    "payload must be a JSON object",
  );
  return Object.fromEntries(Object.entries(parsed));
}

async function rejects(promise: Promise<unknown>, name: string, status?: number): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (status !== undefined) {
      const metadata: unknown = Reflect.get(error, "$metadata");
      assert.equal(
        metadata !== null && typeof metadata === "object"
          ? Reflect.get(metadata, "httpStatusCode")
          : undefined,
        status,
      );
    }
    return error;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

before(async () => {
  aws = await startAwsServer({
    accounts: [dev, prod],
    dynamodbBackend: async () => "http://127.0.0.1:9",
    codeDir,
    alarmEvaluationIntervalMs: 0,
  });
  lambda = clientFor(dev);
  prodLambda = clientFor(prod, "af-south-1");
});

after(async () => {
  await aws.close();
  await rm(codeDir, { recursive: true, force: true });
});

describe("Lambda control plane", () => {
  test("create, publish, alias, update and read functions as AWS returns them", async () => {
    const zip = zipOf(echoHandler("v1"));
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bbws-demo-dev",
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "index.handler",
        Code: { ZipFile: zip },
        MemorySize: 256,
        Environment: { Variables: { CUSTOM: "dev-value" } },
      }),
    );
    assert.equal(created.FunctionArn, "arn:aws:lambda:eu-west-1:536580886816:function:bbws-demo-dev");
    assert.equal(created.CodeSha256, createHash("sha256").update(zip).digest("base64"));
    assert.equal(created.CodeSize, zip.length);
    assert.equal(created.Version, "$LATEST");
    assert.equal(created.State, "Active");
    assert.equal(created.LastUpdateStatus, "Successful");
    assert.equal(created.Runtime, "nodejs20.x");
    assert.equal(created.MemorySize, 256);
    assert.equal(created.Timeout, 3);
    assert.match(created.LastModified ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    assert.deepEqual(created.Environment?.Variables, { CUSTOM: "dev-value" });

    const v1 = await lambda.send(
      new PublishVersionCommand({ FunctionName: "bbws-demo-dev", Description: "1.0.0" }),
    );
    assert.equal(v1.Version, "1");
    assert.equal(v1.FunctionArn, "arn:aws:lambda:eu-west-1:536580886816:function:bbws-demo-dev:1");
    const again = await lambda.send(
      new PublishVersionCommand({ FunctionName: "bbws-demo-dev", Description: "x" }),
    );
    assert.equal(
      again.Version,
      "1",
      "publishing unchanged code and configuration returns the latest version",
    );

    await rejects(
      lambda.send(new PublishVersionCommand({ FunctionName: "bbws-demo-dev", CodeSha256: "AAAA" })),
      "PreconditionFailedException",
      412,
    );

    const v2zip = zipOf(echoHandler("v2"), "2.0.0");
    const v2 = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "bbws-demo-dev", ZipFile: v2zip, Publish: true }),
    );
    assert.equal(v2.Version, "2");
    assert.equal(v2.CodeSha256, createHash("sha256").update(v2zip).digest("base64"));

    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "bbws-demo-dev" }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ["$LATEST", "1", "2"],
    );
    const page1 = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: "bbws-demo-dev", MaxItems: 2 }),
    );
    assert.equal(page1.Versions?.length, 2);
    assert.ok(page1.NextMarker);
    const page2 = await lambda.send(
      new ListVersionsByFunctionCommand({
        FunctionName: "bbws-demo-dev",
        MaxItems: 2,
        Marker: page1.NextMarker,
      }),
    );
    assert.deepEqual(
      page2.Versions?.map((v) => v.Version),
      ["2"],
    );
    assert.equal(page2.NextMarker, undefined);

    const config1 = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "bbws-demo-dev", Qualifier: "1" }),
    );
    assert.equal(config1.Description, "1.0.0");
    assert.equal(config1.Version, "1");
    assert.equal(config1.CodeSha256, created.CodeSha256);

    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: "bbws-demo-dev", Name: "latest-dev", FunctionVersion: "1" }),
    );
    assert.equal(alias.AliasArn, "arn:aws:lambda:eu-west-1:536580886816:function:bbws-demo-dev:latest-dev");
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "bbws-demo-dev", Name: "backup-dev-v1", FunctionVersion: "1" }),
    );
    await rejects(
      lambda.send(
        new CreateAliasCommand({ FunctionName: "bbws-demo-dev", Name: "latest-dev", FunctionVersion: "1" }),
      ),
      "ResourceConflictException",
      409,
    );
    const updated = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: "bbws-demo-dev",
        Name: "latest-dev",
        FunctionVersion: "2",
        Description: "promoted",
      }),
    );
    assert.equal(updated.FunctionVersion, "2");
    assert.notEqual(updated.RevisionId, alias.RevisionId);
    const got = await lambda.send(new GetAliasCommand({ FunctionName: "bbws-demo-dev", Name: "latest-dev" }));
    assert.equal(got.FunctionVersion, "2");
    assert.equal(got.Description, "promoted");
    const listed = await lambda.send(new ListAliasesCommand({ FunctionName: "bbws-demo-dev" }));
    assert.deepEqual(
      listed.Aliases?.map((a) => [a.Name, a.FunctionVersion]),
      [
        ["backup-dev-v1", "1"],
        ["latest-dev", "2"],
      ],
    );
    const byVersion = await lambda.send(
      new ListAliasesCommand({ FunctionName: "bbws-demo-dev", FunctionVersion: "1" }),
    );
    assert.deepEqual(
      byVersion.Aliases?.map((a) => a.Name),
      ["backup-dev-v1"],
    );
    await lambda.send(new DeleteAliasCommand({ FunctionName: "bbws-demo-dev", Name: "backup-dev-v1" }));
    const gone = await rejects(
      lambda.send(new GetAliasCommand({ FunctionName: "bbws-demo-dev", Name: "backup-dev-v1" })),
      "ResourceNotFoundException",
      404,
    );
    assert.match(
      gone.message,
      /^Cannot find alias arn: arn:aws:lambda:eu-west-1:536580886816:function:bbws-demo-dev:backup-dev-v1$/,
    );

    const viaAlias = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "bbws-demo-dev", Qualifier: "latest-dev" }),
    );
    assert.equal(viaAlias.Version, "2");

    // GetFunction's Code.Location serves the exact bytes of the version, as a promotion downloads them.
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "bbws-demo-dev", Qualifier: "1" }));
    assert.equal(fn.Code?.RepositoryType, "S3");
    const download = await fetch(fn.Code?.Location ?? "");
    assert.equal(download.status, 200);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.ok(bytes.equals(Buffer.from(zip)));
    const tampered = await fetch(
      (fn.Code?.Location ?? "").replace(/X-Amz-Signature=[0-9a-f]/, "X-Amz-Signature=0"),
    );
    assert.equal(tampered.status, 403);
    await tampered.arrayBuffer();
  });

  test("validation and not-found answers carry AWS's codes, statuses and messages", async () => {
    await createFunction("bbws-validate", echoHandler("x"));
    const missing = await rejects(
      lambda.send(new GetFunctionCommand({ FunctionName: "bbws-does-not-exist" })),
      "ResourceNotFoundException",
      404,
    );
    assert.equal(
      missing.message,
      "Function not found: arn:aws:lambda:eu-west-1:536580886816:function:bbws-does-not-exist",
    );
    await rejects(
      lambda.send(new GetFunctionCommand({ FunctionName: "bad name!" })),
      "ValidationException",
      400,
    );
    await rejects(
      lambda.send(
        new CreateAliasCommand({ FunctionName: "bbws-validate", Name: "123", FunctionVersion: "$LATEST" }),
      ),
      "ValidationException",
      400,
    );
    await rejects(
      lambda.send(
        new CreateAliasCommand({ FunctionName: "bbws-validate", Name: "live", FunctionVersion: "9" }),
      ),
      "ResourceNotFoundException",
      404,
    );
    await rejects(
      lambda.send(new InvokeCommand({ FunctionName: "bbws-validate", Qualifier: "7" })),
      "ResourceNotFoundException",
      404,
    );
    await rejects(
      lambda.send(new InvokeCommand({ FunctionName: "bbws-validate", Payload: strToU8("{not json") })),
      "InvalidRequestContentException",
      400,
    );
    await rejects(
      lambda.send(
        new InvokeCommand({ FunctionName: "bbws-validate", Payload: new Uint8Array(6 * 1024 * 1024 + 10) }),
      ),
      "RequestTooLargeException",
      413,
    );
    await rejects(createFunction("bbws-validate", echoHandler("x")), "ResourceConflictException", 409);
    await rejects(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: "bbws-bad-zip",
          Runtime: "nodejs20.x",
          Role: ROLE,
          Handler: "index.handler",
          Code: { ZipFile: strToU8("this is not a zip") },
        }),
      ),
      "InvalidParameterValueException",
      400,
    );
    await rejects(
      createFunction("bbws-reserved-env", echoHandler("x"), { env: { AWS_REGION: "us-east-1" } }),
      "InvalidParameterValueException",
    );
  });
});

describe("Lambda configuration and deletion", () => {
  test("UpdateFunctionConfiguration changes $LATEST only; DeleteFunction removes versions and the function", async () => {
    await createFunction("bbws-config", echoHandler("cfg"), { env: { CUSTOM: "before" } });
    await lambda.send(new PublishVersionCommand({ FunctionName: "bbws-config" }));
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "bbws-config",
        Environment: { Variables: { CUSTOM: "after" } },
        Timeout: 10,
        Description: "reconfigured",
      }),
    );
    assert.equal(updated.Timeout, 10);
    assert.deepEqual(updated.Environment?.Variables, { CUSTOM: "after" });
    const latest = await lambda.send(new InvokeCommand({ FunctionName: "bbws-config" }));
    assert.equal(json(latest.Payload).custom, "after");
    const v1 = await lambda.send(new InvokeCommand({ FunctionName: "bbws-config", Qualifier: "1" }));
    assert.equal(json(v1.Payload).custom, "before", "published versions are immutable");

    await lambda.send(
      new CreateAliasCommand({ FunctionName: "bbws-config", Name: "live", FunctionVersion: "1" }),
    );
    await rejects(
      lambda.send(new DeleteFunctionCommand({ FunctionName: "bbws-config", Qualifier: "1" })),
      "ResourceConflictException",
      409,
    );
    await lambda.send(new DeleteAliasCommand({ FunctionName: "bbws-config", Name: "live" }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "bbws-config", Qualifier: "1" }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "bbws-config" }));
    assert.deepEqual(
      versions.Versions?.map((version) => version.Version),
      ["$LATEST"],
    );
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "bbws-config" }));
    await rejects(
      lambda.send(new GetFunctionCommand({ FunctionName: "bbws-config" })),
      "ResourceNotFoundException",
      404,
    );
    const listed = await lambda.send(new ListFunctionsCommand({}));
    assert.ok(!listed.Functions?.some((fn) => fn.FunctionName === "bbws-config"));
  });
});

describe("Lambda invoke and runtime", () => {
  test("invokes run the version's code with its environment and Lambda's variables", async () => {
    await createFunction("bbws-env", echoHandler("env"), { env: { CUSTOM: "c1" } });
    const v = await lambda.send(
      new PublishVersionCommand({ FunctionName: "bbws-env", Description: "1.0.0" }),
    );
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "bbws-env", Name: "live", FunctionVersion: v.Version }),
    );
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: "bbws-env",
        Qualifier: "live",
        Payload: strToU8('{"hello":1}'),
        LogType: "Tail",
      }),
    );
    assert.equal(result.StatusCode, 200);
    assert.equal(result.ExecutedVersion, "1");
    assert.equal(result.FunctionError, undefined);
    const body = json(result.Payload);
    assert.equal(body.version, "1");
    assert.equal(body.region, "eu-west-1");
    assert.equal(body.custom, "c1");
    assert.equal(body.accessKey, dev.accessKeyId, "the function runs with its own account's credentials");
    assert.equal(body.endpoint, aws.url);
    assert.equal(body.arn, "arn:aws:lambda:eu-west-1:536580886816:function:bbws-env:live");
    const tail = Buffer.from(result.LogResult ?? "", "base64").toString("utf8");
    assert.match(tail, new RegExp(`START RequestId: ${String(body.requestId)} Version: 1`));
    assert.match(tail, /\tINFO\tevent \{"hello":1\}/);
    assert.match(tail, new RegExp(`END RequestId: ${String(body.requestId)}`));
    assert.match(
      tail,
      /REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/,
    );

    const warm = await lambda.send(new InvokeCommand({ FunctionName: "bbws-env:live", LogType: "Tail" }));
    assert.doesNotMatch(Buffer.from(warm.LogResult ?? "", "base64").toString("utf8"), /Init Duration/);

    const dry = await lambda.send(new InvokeCommand({ FunctionName: "bbws-env", InvocationType: "DryRun" }));
    assert.equal(dry.StatusCode, 204);

    const inProcess = await aws.lambda.invoke("536580886816", "eu-west-1", "bbws-env", "live", '{"x":2}');
    assert.equal(inProcess.statusCode, 200);
    assert.equal(inProcess.executedVersion, "1");
    assert.equal(JSON.parse(inProcess.payload.toString("utf8")).tag, "env");
  });

  test("a throwing handler is an Unhandled function error, logged with errorType", async () => {
    await createFunction("bbws-fail", echoHandler("fail"));
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "bbws-fail", Payload: strToU8('{"fail":"now"}'), LogType: "Tail" }),
    );
    assert.equal(result.StatusCode, 200);
    assert.equal(result.FunctionError, "Unhandled");
    assert.equal(result.ExecutedVersion, "$LATEST");
    const payload = json(result.Payload);
    assert.equal(payload.errorType, "TypeError");
    assert.equal(payload.errorMessage, "boom now");
    assert.ok(Array.isArray(payload.trace) && payload.trace.length > 0);
    const tail = Buffer.from(result.LogResult ?? "", "base64").toString("utf8");
    assert.match(tail, /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"boom now"/);
  });

  test("a handler running past its Timeout ends as Task timed out and the environment is replaced", async () => {
    await createFunction("bbws-slow", echoHandler("slow"), { Timeout: 1 });
    const started = performance.now();
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "bbws-slow", Payload: strToU8('{"sleepMs":5000}'), LogType: "Tail" }),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 3000, `timed out after ${elapsed} ms`);
    assert.equal(result.FunctionError, "Unhandled");
    const payload = json(result.Payload);
    assert.equal(payload.errorType, "Sandbox.Timedout");
    assert.match(String(payload.errorMessage), /Task timed out after 1\.00 seconds/);
    assert.match(
      Buffer.from(result.LogResult ?? "", "base64").toString("utf8"),
      /Task timed out after 1\.00 seconds/,
    );
    const next = await lambda.send(new InvokeCommand({ FunctionName: "bbws-slow", LogType: "Tail" }));
    assert.equal(next.FunctionError, undefined);
    assert.match(
      Buffer.from(next.LogResult ?? "", "base64").toString("utf8"),
      /Init Duration/,
      "a fresh environment",
    );
  });

  test("a handler that cannot load, or that crashes its runtime, fails the invoke and the next one recovers", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bbws-no-handler",
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "missing.handler",
        Code: { ZipFile: zipOf(echoHandler("x")) },
      }),
    );
    const missing = await lambda.send(
      new InvokeCommand({ FunctionName: "bbws-no-handler", LogType: "Tail" }),
    );
    assert.equal(missing.FunctionError, "Unhandled");
    assert.equal(json(missing.Payload).errorType, "Runtime.ImportModuleError");
    assert.match(Buffer.from(missing.LogResult ?? "", "base64").toString("utf8"), /END RequestId/);

    const crashing = `
export const handler = async (event) => {
  if (event.crash) {
    setImmediate(() => { throw new Error("crashed outside the handler"); });
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return "alive";
};`;
    await createFunction("bbws-crash", crashing, { Timeout: 5 });
    const crashed = await lambda.send(
      new InvokeCommand({ FunctionName: "bbws-crash", Payload: strToU8('{"crash":true}') }),
    );
    assert.equal(crashed.FunctionError, "Unhandled");
    assert.match(String(json(crashed.Payload).errorMessage), /crashed outside the handler/);
    const recovered = await lambda.send(new InvokeCommand({ FunctionName: "bbws-crash" }));
    assert.equal(recovered.FunctionError, undefined);
    assert.equal(Buffer.from(recovered.Payload ?? []).toString("utf8"), '"alive"');
  });

  test("a handler can call AWS with its execution role's credentials and endpoint", async () => {
    const source = `
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
export const handler = async () => {
  const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return { account: identity.Account };
};`;
    await createFunction("bbws-sdk-call", source, { Timeout: 10 });
    const result = await lambda.send(new InvokeCommand({ FunctionName: "bbws-sdk-call" }));
    assert.equal(result.FunctionError, undefined, Buffer.from(result.Payload ?? []).toString());
    assert.deepEqual(json(result.Payload), { account: "536580886816" });
  });

  test("an alias with AdditionalVersionWeights {2: 0.1} routes about 10% of invocations to version 2", async () => {
    await createFunction("bbws-canary", echoHandler("one"));
    await lambda.send(new PublishVersionCommand({ FunctionName: "bbws-canary" }));
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "bbws-canary", ZipFile: zipOf(echoHandler("two")) }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: "bbws-canary" }));
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: "bbws-canary",
        Name: "live",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } },
      }),
    );
    await rejects(
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: "bbws-canary",
          Name: "live",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
        }),
      ),
      "InvalidParameterValueException",
    );
    // 200 invocations over the wire, 1800 more in-process through the same routing (as the API front
    // calls it): with 2000 draws, 10% +/- 4% is six standard deviations, so the check does not flake.
    let toTwo = 0;
    let total = 0;
    for (let batch = 0; batch < 8; batch++) {
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          lambda.send(new InvokeCommand({ FunctionName: "bbws-canary", Qualifier: "live" })),
        ),
      );
      for (const result of results) {
        assert.equal(json(result.Payload).tag, result.ExecutedVersion === "2" ? "two" : "one");
        total++;
        if (result.ExecutedVersion === "2") toTwo++;
      }
    }
    for (let batch = 0; batch < 18; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          aws.lambda.invoke(dev.accountId, "eu-west-1", "bbws-canary", "live", "{}"),
        ),
      );
      for (const result of results) {
        assert.equal(
          JSON.parse(result.payload.toString("utf8")).tag,
          result.executedVersion === "2" ? "two" : "one",
        );
        total++;
        if (result.executedVersion === "2") toTwo++;
      }
    }
    assert.equal(total, 2000);
    const share = toTwo / total;
    assert.ok(
      share >= 0.06 && share <= 0.14,
      `version 2 got ${(share * 100).toFixed(1)}% of ${total} invocations`,
    );
    const cleared = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: "bbws-canary",
        Name: "live",
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    assert.equal(cleared.RoutingConfig, undefined);
  });

  test("reserved concurrency 0 throttles every invoke with AWS's reason", async () => {
    await createFunction("bbws-throttle", echoHandler("t"));
    const put = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "bbws-throttle", ReservedConcurrentExecutions: 0 }),
    );
    assert.equal(put.ReservedConcurrentExecutions, 0);
    const got = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "bbws-throttle" }));
    assert.equal(got.ReservedConcurrentExecutions, 0);
    const error = await rejects(
      lambda.send(new InvokeCommand({ FunctionName: "bbws-throttle" })),
      "TooManyRequestsException",
      429,
    );
    assert.equal(Reflect.get(error, "Reason"), "ReservedFunctionConcurrentInvocationLimitExceeded");
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "bbws-throttle" }));
    assert.equal(fn.Concurrency?.ReservedConcurrentExecutions, 0);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "bbws-throttle" }));
    const after = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "bbws-throttle" }));
    assert.equal(after.ReservedConcurrentExecutions, undefined);
    const ok = await lambda.send(new InvokeCommand({ FunctionName: "bbws-throttle" }));
    assert.equal(ok.StatusCode, 200);
  });
});

describe("Lambda isolation", () => {
  test("another account or region sees nothing of dev's functions", async () => {
    await createFunction("bbws-private", echoHandler("p"));
    await rejects(
      prodLambda.send(new GetFunctionCommand({ FunctionName: "bbws-private" })),
      "ResourceNotFoundException",
      404,
    );
    await rejects(
      clientFor(prod).send(new GetFunctionCommand({ FunctionName: "bbws-private" })),
      "ResourceNotFoundException",
      404,
    );
    await rejects(
      clientFor(dev, "us-east-1").send(new GetFunctionCommand({ FunctionName: "bbws-private" })),
      "ResourceNotFoundException",
      404,
    );
    await rejects(
      prodLambda.send(
        new InvokeCommand({ FunctionName: "arn:aws:lambda:eu-west-1:536580886816:function:bbws-private" }),
      ),
      "AccessDeniedException",
      403,
    );
    await assert.rejects(
      aws.lambda.invoke("093646564004", "af-south-1", "bbws-private", undefined, "{}"),
      (error: unknown) =>
        error instanceof Error && Reflect.get(error, "code") === "ResourceNotFoundException",
    );
  });

  test("functions of different accounts run with their own credentials", async () => {
    await prodLambda.send(
      new CreateFunctionCommand({
        FunctionName: "bbws-private",
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::093646564004:role/bbws-test",
        Handler: "index.handler",
        Code: { ZipFile: zipOf(echoHandler("prod")) },
      }),
    );
    const [fromDev, fromProd] = await Promise.all([
      lambda.send(new InvokeCommand({ FunctionName: "bbws-private" })),
      prodLambda.send(new InvokeCommand({ FunctionName: "bbws-private" })),
    ]);
    assert.equal(json(fromDev.Payload).accessKey, dev.accessKeyId);
    assert.equal(json(fromProd.Payload).accessKey, prod.accessKeyId);
    assert.equal(json(fromProd.Payload).region, "af-south-1");
  });

  test("idle execution environments stop", async () => {
    const short = await startAwsServer({
      accounts: [dev],
      dynamodbBackend: async () => "http://127.0.0.1:9",
      codeDir,
      workerIdleMs: 150,
      alarmEvaluationIntervalMs: 0,
    });
    try {
      const client = new LambdaClient({
        endpoint: short.url,
        region: "eu-west-1",
        credentials: { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey },
      });
      await client.send(
        new CreateFunctionCommand({
          FunctionName: "bbws-idle",
          Runtime: "nodejs20.x",
          Role: ROLE,
          Handler: "index.handler",
          Code: { ZipFile: zipOf(echoHandler("idle")) },
        }),
      );
      await client.send(new InvokeCommand({ FunctionName: "bbws-idle" }));
      assert.equal(short.lambda.runningEnvironments, 1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(short.lambda.runningEnvironments, 0);
    } finally {
      await short.close();
    }
  });
});
