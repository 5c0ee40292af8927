/**
 * CloudWatch Logs, SSM Parameter Store and STS of the sandbox through the real SDK clients: every
 * operation the runbooks use, filter patterns, pagination, and account isolation.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { strToU8, zipSync } from "fflate";
import { generateCredentials } from "../../sandbox/accounts.ts";
import { type AwsSandbox, type SandboxAccount, startAwsServer } from "../../sandbox/aws/index.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const codeDir = `${repo}.sandbox/test-code-logs-${randomBytes(4).toString("hex")}`;

function account(name: string, accountId: string): SandboxAccount {
  return { name, accountId, ...generateCredentials() };
}
const dev = account("dev", "536580886816");
const sit = account("sit", "815856636111");

let aws: AwsSandbox;

function config(who: SandboxAccount, region = "eu-west-1", secret = who.secretAccessKey) {
  return {
    endpoint: aws.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: secret },
    maxAttempts: 1,
  };
}

async function rejects(promise: Promise<unknown>, name: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

before(async () => {
  aws = await startAwsServer({
    accounts: [dev, sit],
    dynamodbBackend: async () => "http://127.0.0.1:9",
    codeDir,
    alarmEvaluationIntervalMs: 0,
  });
});

after(async () => {
  await aws.close();
  await rm(codeDir, { recursive: true, force: true });
});

describe("CloudWatch Logs", () => {
  test("groups, streams and events; filter patterns; pagination", async () => {
    const logs = new CloudWatchLogsClient(config(dev));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/bbws/harness" }));
    await rejects(
      logs.send(new CreateLogGroupCommand({ logGroupName: "/bbws/harness" })),
      "ResourceAlreadyExistsException",
    );
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/bbws/harness", logStreamName: "a" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/bbws/harness", logStreamName: "b" }));
    await rejects(
      logs.send(new CreateLogStreamCommand({ logGroupName: "/bbws/missing", logStreamName: "a" })),
      "ResourceNotFoundException",
    );
    const t0 = Date.now() - 60_000;
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/bbws/harness",
        logStreamName: "a",
        logEvents: [
          { timestamp: t0, message: "INFO request served in 12 ms" },
          { timestamp: t0 + 1000, message: "ERROR database timeout after 3000 ms" },
          { timestamp: t0 + 2000, message: "WARN slow request: 900 ms" },
          { timestamp: t0 + 3000, message: '{"level":"ERROR","latency":250,"route":"/tenants"}' },
        ],
      }),
    );
    assert.ok(put.nextSequenceToken);
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/bbws/harness",
        logStreamName: "b",
        logEvents: [{ timestamp: t0 + 1500, message: "error lower-case only" }],
      }),
    );
    await rejects(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: "/bbws/harness",
          logStreamName: "a",
          logEvents: [
            { timestamp: t0 + 10, message: "later" },
            { timestamp: t0, message: "earlier" },
          ],
        }),
      ),
      "InvalidParameterException",
    );

    const filter = async (filterPattern: string, extra: { startTime?: number; endTime?: number } = {}) => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: "/bbws/harness", filterPattern, ...extra }),
      );
      return (out.events ?? []).map((event) => event.message);
    };
    assert.deepEqual(await filter("ERROR"), [
      "ERROR database timeout after 3000 ms",
      '{"level":"ERROR","latency":250,"route":"/tenants"}',
    ]);
    assert.deepEqual(await filter("ERROR timeout"), ["ERROR database timeout after 3000 ms"]);
    assert.deepEqual(await filter('"slow request"'), ["WARN slow request: 900 ms"]);
    assert.deepEqual(await filter("?WARN ?error"), ["error lower-case only", "WARN slow request: 900 ms"]);
    assert.deepEqual(await filter("ms -ERROR"), [
      "INFO request served in 12 ms",
      "WARN slow request: 900 ms",
    ]);
    assert.deepEqual(await filter('{ $.level = "ERROR" && $.latency > 200 }'), [
      '{"level":"ERROR","latency":250,"route":"/tenants"}',
    ]);
    assert.deepEqual(await filter("%time[o]ut%"), ["ERROR database timeout after 3000 ms"]);
    assert.deepEqual(await filter("", { startTime: t0 + 1000, endTime: t0 + 2000 }), [
      "ERROR database timeout after 3000 ms",
      "error lower-case only",
      "WARN slow request: 900 ms",
    ]);
    await rejects(filter("[ip, user]"), "InvalidParameterException");

    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: "/bbws/harness", limit: 2 }));
    assert.equal(first.events?.length, 2);
    assert.ok(first.nextToken);
    assert.equal(first.events?.[0]?.logStreamName, "a");
    const rest = await logs.send(
      new FilterLogEventsCommand({ logGroupName: "/bbws/harness", limit: 10, nextToken: first.nextToken }),
    );
    assert.equal(rest.events?.length, 3);
    assert.equal(rest.nextToken, undefined);

    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/bbws/" }));
    assert.deepEqual(
      groups.logGroups?.map((group) => group.logGroupName),
      ["/bbws/harness"],
    );
    assert.equal(
      groups.logGroups?.[0]?.logGroupArn,
      "arn:aws:logs:eu-west-1:536580886816:log-group:/bbws/harness",
    );
    const streams = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: "/bbws/harness",
        orderBy: "LastEventTime",
        descending: true,
      }),
    );
    assert.deepEqual(
      streams.logStreams?.map((stream) => stream.logStreamName),
      ["a", "b"],
    );
    assert.equal(streams.logStreams?.[0]?.lastEventTimestamp, t0 + 3000);

    const head = await logs.send(
      new GetLogEventsCommand({
        logGroupName: "/bbws/harness",
        logStreamName: "a",
        startFromHead: true,
        limit: 3,
      }),
    );
    assert.deepEqual(
      head.events?.map((event) => event.timestamp),
      [t0, t0 + 1000, t0 + 2000],
    );
    const more = await logs.send(
      new GetLogEventsCommand({
        logGroupName: "/bbws/harness",
        logStreamName: "a",
        nextToken: head.nextForwardToken,
      }),
    );
    assert.deepEqual(
      more.events?.map((event) => event.timestamp),
      [t0 + 3000],
    );
    const tail = await logs.send(
      new GetLogEventsCommand({ logGroupName: "/bbws/harness", logStreamName: "a", limit: 1 }),
    );
    assert.equal(tail.events?.[0]?.timestamp, t0 + 3000, "without startFromHead the newest events come back");

    await logs.send(new CreateLogGroupCommand({ logGroupName: "/bbws/short-lived" }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: "/bbws/short-lived" }));
    await rejects(
      logs.send(new DeleteLogGroupCommand({ logGroupName: "/bbws/short-lived" })),
      "ResourceNotFoundException",
    );

    const other = new CloudWatchLogsClient(config(sit));
    await rejects(
      other.send(new FilterLogEventsCommand({ logGroupName: "/bbws/harness" })),
      "ResourceNotFoundException",
    );
  });

  test("a failing invocation's ERROR line is found by FilterLogEvents", async () => {
    const lambda = new LambdaClient(config(dev));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bbws-logs-dev",
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::536580886816:role/bbws-test",
        Handler: "index.handler",
        Code: {
          ZipFile: zipSync({
            "index.mjs": strToU8(
              'export const handler = async (e) => { console.log("handling", e.id); if (e.fail) throw new RangeError("bad id " + e.id); return e.id; };',
            ),
          }),
        },
      }),
    );
    const startTime = Date.now() - 1000;
    await lambda.send(new InvokeCommand({ FunctionName: "bbws-logs-dev", Payload: strToU8('{"id":1}') }));
    const failed = await lambda.send(
      new InvokeCommand({ FunctionName: "bbws-logs-dev", Payload: strToU8('{"id":2,"fail":true}') }),
    );
    assert.equal(failed.FunctionError, "Unhandled");
    const logs = new CloudWatchLogsClient(config(dev));
    const errors = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/aws/lambda/bbws-logs-dev",
        startTime,
        filterPattern: "ERROR",
      }),
    );
    assert.equal(errors.events?.length, 1);
    const line = errors.events?.[0]?.message ?? "";
    assert.match(line, /\tERROR\tInvoke Error \t/);
    assert.match(line, /"errorType":"RangeError"/);
    assert.match(line, /"errorMessage":"bad id 2"/);
    assert.match(errors.events?.[0]?.logStreamName ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const all = await logs.send(
      new FilterLogEventsCommand({ logGroupName: "/aws/lambda/bbws-logs-dev", startTime }),
    );
    const messages = (all.events ?? []).map((event) => event.message ?? "");
    assert.equal(messages.filter((message) => message.startsWith("START RequestId: ")).length, 2);
    assert.equal(messages.filter((message) => message.startsWith("END RequestId: ")).length, 2);
    assert.equal(messages.filter((message) => message.startsWith("REPORT RequestId: ")).length, 2);
    assert.ok(messages.some((message) => /\tINFO\thandling 2$/.test(message)));

    aws.logs.putLogEvents("536580886816", "eu-west-1", {
      logGroupName: "/aws/lambda/bbws-logs-dev",
      logStreamName: "seeded",
      logEvents: [{ timestamp: Date.now(), message: "seeded ERROR line" }],
    });
    const seeded = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/aws/lambda/bbws-logs-dev",
        filterPattern: '"seeded ERROR"',
      }),
    );
    assert.equal(seeded.events?.[0]?.logStreamName, "seeded");
  });
});

describe("SSM Parameter Store", () => {
  test("put, overwrite, versions, SecureString, get-many and delete", async () => {
    const ssm = new SSMClient(config(dev));
    const name = "/bbws-access/dev/deployed-version";
    const first = await ssm.send(new PutParameterCommand({ Name: name, Value: "v1.2.0", Type: "String" }));
    assert.equal(first.Version, 1);
    await rejects(
      ssm.send(new PutParameterCommand({ Name: name, Value: "v1.3.0", Type: "String" })),
      "ParameterAlreadyExists",
    );
    const second = await ssm.send(new PutParameterCommand({ Name: name, Value: "v1.3.0", Overwrite: true }));
    assert.equal(second.Version, 2);
    const got = await ssm.send(new GetParameterCommand({ Name: name }));
    assert.equal(got.Parameter?.Value, "v1.3.0");
    assert.equal(got.Parameter?.Version, 2);
    assert.equal(got.Parameter?.Type, "String");
    assert.equal(
      got.Parameter?.ARN,
      "arn:aws:ssm:eu-west-1:536580886816:parameter/bbws-access/dev/deployed-version",
    );
    assert.ok(got.Parameter?.LastModifiedDate instanceof Date);
    const old = await ssm.send(new GetParameterCommand({ Name: `${name}:1` }));
    assert.equal(old.Parameter?.Value, "v1.2.0");
    assert.equal(old.Parameter?.Selector, ":1");

    await ssm.send(new PutParameterCommand({ Name: "/bbws/secret", Value: "hunter2", Type: "SecureString" }));
    const hidden = await ssm.send(new GetParameterCommand({ Name: "/bbws/secret" }));
    assert.notEqual(hidden.Parameter?.Value, "hunter2");
    assert.doesNotMatch(hidden.Parameter?.Value ?? "", /hunter2/);
    const clear = await ssm.send(new GetParameterCommand({ Name: "/bbws/secret", WithDecryption: true }));
    assert.equal(clear.Parameter?.Value, "hunter2");

    const many = await ssm.send(
      new GetParametersCommand({ Names: [name, "/bbws/nope", "/bbws/secret"], WithDecryption: true }),
    );
    assert.deepEqual(
      many.Parameters?.map((parameter) => parameter.Value),
      ["v1.3.0", "hunter2"],
    );
    assert.deepEqual(many.InvalidParameters, ["/bbws/nope"]);

    await ssm.send(
      new PutParameterCommand({ Name: "/bbws-access/dev/nested/deep", Value: "d", Type: "String" }),
    );
    const shallow = await ssm.send(new GetParametersByPathCommand({ Path: "/bbws-access/dev" }));
    assert.deepEqual(
      shallow.Parameters?.map((parameter) => parameter.Name),
      [name],
    );
    const deep = await ssm.send(
      new GetParametersByPathCommand({ Path: "/bbws-access/dev", Recursive: true }),
    );
    assert.deepEqual(
      deep.Parameters?.map((parameter) => parameter.Name),
      [name, "/bbws-access/dev/nested/deep"],
    );

    await rejects(
      ssm.send(new PutParameterCommand({ Name: "/aws/reserved", Value: "x", Type: "String" })),
      "ValidationException",
    );
    await rejects(
      ssm.send(new PutParameterCommand({ Name: "bad name", Value: "x", Type: "String" })),
      "ValidationException",
    );

    const sitSsm = new SSMClient(config(sit));
    await rejects(sitSsm.send(new GetParameterCommand({ Name: name })), "ParameterNotFound");
    await rejects(
      new SSMClient(config(dev, "us-east-1")).send(new GetParameterCommand({ Name: name })),
      "ParameterNotFound",
    );

    await ssm.send(new DeleteParameterCommand({ Name: name }));
    await rejects(ssm.send(new GetParameterCommand({ Name: name })), "ParameterNotFound");
    await rejects(ssm.send(new DeleteParameterCommand({ Name: name })), "ParameterNotFound");

    const seeded = aws.ssm.putParameter("815856636111", "eu-west-1", {
      Name: "/bbws-access/sit/deployed-version",
      Value: "v1.3.0",
      Type: "String",
    });
    assert.equal(seeded.Version, 1);
    assert.equal(
      aws.ssm.getParameterValue("815856636111", "eu-west-1", "/bbws-access/sit/deployed-version"),
      "v1.3.0",
    );
    const viaSdk = await sitSsm.send(new GetParameterCommand({ Name: "/bbws-access/sit/deployed-version" }));
    assert.equal(viaSdk.Parameter?.Value, "v1.3.0");
  });
});

describe("STS", () => {
  test("GetCallerIdentity names the account of the access key", async () => {
    const devIdentity = await new STSClient(config(dev)).send(new GetCallerIdentityCommand({}));
    assert.equal(devIdentity.Account, "536580886816");
    assert.equal(devIdentity.Arn, "arn:aws:iam::536580886816:user/bbws-sandbox-dev");
    assert.match(devIdentity.UserId ?? "", /^AIDA[0-9A-F]{17}$/);
    const sitIdentity = await new STSClient(config(sit, "af-south-1")).send(new GetCallerIdentityCommand({}));
    assert.equal(sitIdentity.Account, "815856636111");
    assert.equal(sitIdentity.Arn, "arn:aws:iam::815856636111:user/bbws-sandbox-sit");

    const stranger = account("stranger", "111111111111");
    await rejects(
      new STSClient(config(stranger)).send(new GetCallerIdentityCommand({})),
      "InvalidClientTokenId",
    );
    await rejects(
      new STSClient(config(dev, "eu-west-1", "not-the-secret-at-all-0000")).send(
        new GetCallerIdentityCommand({}),
      ),
      "SignatureDoesNotMatch",
    );
  });
});
