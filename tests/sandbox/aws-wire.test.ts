/**
 * The sandbox's AWS server on the wire: SigV4 account selection and verification, DynamoDB and
 * Cognito pass-through, CloudWatch over CBOR (what botocore sends) and the Query form, operations it
 * does not implement, and a batch of malformed raw requests that must each get an AWS-shaped 4xx
 * without taking the server down.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { CloudWatchClient, DescribeAnomalyDetectorsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
} from "@aws-sdk/client-lambda";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { cbor, tag } from "@smithy/core/cbor";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { request } from "undici";
import { generateCredentials } from "../../sandbox/accounts.ts";
import { type AwsSandbox, type SandboxAccount, startAwsServer } from "../../sandbox/aws/index.ts";

function account(name: string, accountId: string): SandboxAccount {
  return { name, accountId, ...generateCredentials() };
}
const dev = account("dev", "536580886816");
const prod = account("prod", "093646564004");

type DynaliteFactory = (options: {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;
function isFactory(value: unknown): value is DynaliteFactory {
  return typeof value === "function";
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return `http://127.0.0.1:${address.port}`;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

let aws: AwsSandbox;
let dynalite: Server;
let fakeCognito: Server;
const dynamoCalls: string[] = [];
const logged: string[] = [];
const cognitoSeen: Array<{ target: string | undefined; path: string; signed: boolean }> = [];

function config(who: SandboxAccount, region = "eu-west-1", secret = who.secretAccessKey) {
  return {
    endpoint: aws.url,
    region,
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: secret },
    maxAttempts: 1,
  };
}

async function rejects(promise: Promise<unknown>, name: string, messagePattern?: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (messagePattern) assert.match(error.message, messagePattern);
    return error;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

/** Signs a raw request the way an SDK would, for requests the SDK clients cannot send malformed. */
async function signed(input: {
  service: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  region?: string;
  who?: SandboxAccount;
}) {
  const who = input.who ?? dev;
  const url = new URL(aws.url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    region: input.region ?? "eu-west-1",
    service: input.service,
    sha256: Sha256,
  });
  const signedRequest = await signer.sign({
    method: input.method ?? "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: input.path ?? "/",
    query: input.query ?? {},
    headers: { host: url.host, ...(input.headers ?? {}) },
    body: input.body,
  });
  const query = new URLSearchParams(input.query ?? {}).toString();
  const target = `${aws.url}${input.path ?? "/"}${query ? `?${query}` : ""}`;
  const method = input.method === "GET" ? "GET" : input.method === "PATCH" ? "PATCH" : "POST";
  return input.body === undefined
    ? request(target, { method, headers: signedRequest.headers })
    : request(target, { method, headers: signedRequest.headers, body: input.body });
}

function errorCodeOf(headers: Record<string, string | string[] | undefined>, body: string): string {
  const header = headers["x-amzn-errortype"];
  if (typeof header === "string") return header.split(":")[0] ?? header;
  const xml = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  if (xml) return xml;
  const parsed: unknown = JSON.parse(body);
  return String(Reflect.get(Object(parsed), "__type"));
}

before(async () => {
  const factory: unknown = createRequire(import.meta.url)("dynalite");
  assert.ok(isFactory(factory), "dynalite exports a server factory");
  dynalite = factory({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynaliteUrl = await listen(dynalite);
  fakeCognito = createServer((req: IncomingMessage, res) => {
    cognitoSeen.push({
      target: typeof req.headers["x-amz-target"] === "string" ? req.headers["x-amz-target"] : undefined,
      path: req.url ?? "",
      signed: req.headers.authorization !== undefined,
    });
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(req.url?.endsWith("jwks.json") ? '{"keys":[]}' : "{}");
    });
  });
  const cognitoUrl = await listen(fakeCognito);
  aws = await startAwsServer({
    accounts: [dev, prod],
    dynamodbBackend: async (accountId, region) => {
      dynamoCalls.push(`${accountId}/${region}`);
      return dynaliteUrl;
    },
    cognitoBackend: cognitoUrl,
    alarmEvaluationIntervalMs: 0,
    log: (line) => logged.push(line),
    controlHandler: async (req, res) => {
      if (req.url?.includes("boom")) throw new Error("the control handler exploded");
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"control":true}');
    },
  });
});

after(async () => {
  await aws.close();
  await close(dynalite);
  await close(fakeCognito);
});

describe("pass-through services", () => {
  test("DynamoDB requests reach the backend of the caller's account and region", async () => {
    const dynamo = new DynamoDBClient(config(dev));
    await dynamo.send(
      new CreateTableCommand({
        TableName: "bbws-tenants-dev",
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "PK", AttributeType: "S" },
          { AttributeName: "SK", AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const documents = DynamoDBDocumentClient.from(dynamo);
    await documents.send(
      new PutCommand({ TableName: "bbws-tenants-dev", Item: { PK: "TENANT#", SK: "ten_1", name: "Acme" } }),
    );
    const item = await documents.send(
      new GetCommand({ TableName: "bbws-tenants-dev", Key: { PK: "TENANT#", SK: "ten_1" } }),
    );
    assert.equal(item.Item?.name, "Acme");
    await new DynamoDBClient(config(prod, "af-south-1")).send(new ListTablesCommand({}));
    assert.ok(dynamoCalls.includes("536580886816/eu-west-1"));
    assert.ok(dynamoCalls.includes("093646564004/af-south-1"));
    await rejects(
      new DynamoDBClient(config(dev, "eu-west-1", "wrong-secret-wrong-secret-00")).send(
        new ListTablesCommand({}),
      ),
      "InvalidSignatureException",
    );
  });

  test("Cognito: unsigned user operations and the JWKS pass through; admin operations need a signature", async () => {
    const cognito = new CognitoIdentityProviderClient({
      endpoint: aws.url,
      region: "eu-west-1",
      maxAttempts: 1,
    });
    await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: "client",
        AuthParameters: { USERNAME: "u", PASSWORD: "p" },
      }),
    );
    assert.deepEqual(cognitoSeen.at(-1), {
      target: "AWSCognitoIdentityProviderService.InitiateAuth",
      path: "/",
      signed: false,
    });
    await new CognitoIdentityProviderClient(config(dev)).send(new ListUserPoolsCommand({ MaxResults: 10 }));
    assert.equal(cognitoSeen.at(-1)?.target, "AWSCognitoIdentityProviderService.ListUserPools");
    const unsignedAdmin = await request(aws.url, {
      method: "POST",
      headers: {
        "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPools",
        "content-type": "application/x-amz-json-1.1",
      },
      body: '{"MaxResults":10}',
    });
    assert.equal(unsignedAdmin.statusCode, 403);
    assert.equal(
      errorCodeOf(unsignedAdmin.headers, await unsignedAdmin.body.text()),
      "MissingAuthenticationTokenException",
    );
    const jwks = await request(`${aws.url}/eu-west-1_abc123/.well-known/jwks.json`);
    assert.equal(jwks.statusCode, 200);
    assert.deepEqual(await jwks.body.json(), { keys: [] });
    const control = await request(`${aws.url}/_sandbox/health`);
    assert.deepEqual(await control.body.json(), { control: true });
  });
});

describe("authentication and unsupported operations", () => {
  test("unknown keys, wrong secrets, foreign regions and mis-scoped signatures are refused", async () => {
    const stranger = account("stranger", "111111111111");
    await rejects(
      new LambdaClient(config(stranger)).send(new ListFunctionsCommand({})),
      "UnrecognizedClientException",
    );
    await rejects(
      new LambdaClient(config(dev, "eu-west-1", "wrong-secret-wrong-secret-00")).send(
        new ListFunctionsCommand({}),
      ),
      "InvalidSignatureException",
    );
    await rejects(
      new CloudWatchLogsClient(config(dev, "eu-west-1", "wrong-secret-wrong-secret-00")).send(
        new DescribeLogGroupsCommand({}),
      ),
      "InvalidSignatureException",
    );
    await rejects(
      new CloudWatchLogsClient(config(dev, "xx-nowhere-1")).send(new DescribeLogGroupsCommand({})),
      "InvalidSignatureException",
    );
    const misScoped = await signed({
      service: "logs",
      headers: { "x-amz-target": "AmazonSSM.GetParameter", "content-type": "application/x-amz-json-1.1" },
      body: '{"Name":"/x"}',
    });
    assert.equal(misScoped.statusCode, 403);
    assert.match(await misScoped.body.text(), /Credential should be scoped to correct service: 'ssm'/);
  });

  test("operations the sandbox does not implement are named in an AWS-shaped error", async () => {
    await rejects(
      new CloudWatchClient(config(dev)).send(new DescribeAnomalyDetectorsCommand({})),
      "UnknownOperationException",
      /DescribeAnomalyDetectors/,
    );
    await rejects(
      new CloudWatchLogsClient(config(dev)).send(
        new StartQueryCommand({
          logGroupName: "/x",
          startTime: 0,
          endTime: 1,
          queryString: "fields @message",
        }),
      ),
      "UnknownOperationException",
      /StartQuery/,
    );
    await rejects(
      new SSMClient(config(dev)).send(new DescribeParametersCommand({})),
      "UnknownOperationException",
      /DescribeParameters/,
    );
    await rejects(
      new LambdaClient(config(dev)).send(new GetPolicyCommand({ FunctionName: "x" })),
      "UnknownOperationException",
      /GetPolicy/,
    );
    await rejects(
      new LambdaClient(config(dev)).send(
        new ListTagsCommand({ Resource: "arn:aws:lambda:eu-west-1:536580886816:function:x" }),
      ),
      "UnknownOperationException",
      /ListTags/,
    );
    await rejects(
      new STSClient(config(dev)).send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::536580886816:role/x", RoleSessionName: "s" }),
      ),
      "InvalidAction",
      /AssumeRole/,
    );
  });
});

describe("other encodings", () => {
  test("CloudWatch over Smithy RPC v2 CBOR (botocore) and the Query form", async () => {
    const now = Math.floor(Date.now() / 1000);
    const put = await signed({
      service: "monitoring",
      path: "/service/GraniteServiceVersion20100801/operation/PutMetricData",
      headers: {
        "smithy-protocol": "rpc-v2-cbor",
        "content-type": "application/cbor",
        accept: "application/cbor",
      },
      body: cbor.serialize({
        Namespace: "BBWS/Cbor",
        MetricData: [{ MetricName: "Hits", Value: 4, Unit: "Count" }],
      }),
    });
    assert.equal(put.statusCode, 200, await put.body.text());
    const form = new URLSearchParams({
      Action: "GetMetricStatistics",
      Version: "2010-08-01",
      Namespace: "BBWS/Cbor",
      MetricName: "Hits",
      StartTime: new Date((now - 600) * 1000).toISOString(),
      EndTime: new Date((now + 120) * 1000).toISOString(),
      Period: "60",
      "Statistics.member.1": "Sum",
      "Statistics.member.2": "SampleCount",
    }).toString();
    const query = await signed({
      service: "monitoring",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: form,
    });
    const xml = await query.body.text();
    assert.equal(query.statusCode, 200, xml);
    assert.match(
      xml,
      /^<\?xml.*<GetMetricStatisticsResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/">/s,
    );
    assert.match(
      xml,
      /<Datapoints><member><Timestamp>[^<]+Z<\/Timestamp><Sum>4<\/Sum><SampleCount>1<\/SampleCount><Unit>Count<\/Unit><\/member><\/Datapoints>/,
    );
    const stats = await signed({
      service: "monitoring",
      path: "/service/GraniteServiceVersion20100801/operation/GetMetricStatistics",
      headers: {
        "smithy-protocol": "rpc-v2-cbor",
        "content-type": "application/cbor",
        accept: "application/cbor",
      },
      body: cbor.serialize({
        Namespace: "BBWS/Cbor",
        MetricName: "Hits",
        StartTime: tag({ tag: 1, value: now - 600 }),
        EndTime: tag({ tag: 1, value: now + 120 }),
        Period: 60,
        Statistics: ["Sum"],
      }),
    });
    assert.equal(stats.headers["smithy-protocol"], "rpc-v2-cbor");
    const decoded: unknown = cbor.deserialize(new Uint8Array(await stats.body.arrayBuffer()));
    const datapoints: unknown = Reflect.get(Object(decoded), "Datapoints");
    assert.ok(Array.isArray(datapoints));
    assert.equal(Reflect.get(Object(datapoints[0]), "Sum"), 4);
    const unknown = await signed({
      service: "monitoring",
      path: "/service/GraniteServiceVersion20100801/operation/PutDashboard",
      headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor" },
      body: cbor.serialize({}),
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(
      String(
        Reflect.get(Object(cbor.deserialize(new Uint8Array(await unknown.body.arrayBuffer()))), "message"),
      ),
      /PutDashboard/,
    );
  });
});

describe("malformed requests", () => {
  test("each malformed request gets an AWS-shaped 4xx and the server keeps serving", async () => {
    const json11 = { "content-type": "application/x-amz-json-1.1" };
    const cases: Array<{
      what: string;
      send: () => ReturnType<typeof request>;
      status: number;
      code: string;
    }> = [
      {
        what: "no Authorization header",
        send: () =>
          request(aws.url, {
            method: "POST",
            headers: { ...json11, "x-amz-target": "Logs_20140328.DescribeLogGroups" },
            body: "{}",
          }),
        status: 403,
        code: "MissingAuthenticationTokenException",
      },
      {
        what: "garbage Authorization header",
        send: () =>
          request(`${aws.url}/2015-03-31/functions`, {
            method: "GET",
            headers: { authorization: "AWS4-HMAC-SHA256 nonsense" },
          }),
        status: 400,
        code: "IncompleteSignatureException",
      },
      {
        what: "unsigned STS query",
        send: () =>
          request(aws.url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "Action=GetCallerIdentity&Version=2011-06-15",
          }),
        status: 403,
        code: "MissingAuthenticationToken",
      },
      {
        what: "JSON body that is not JSON",
        send: () =>
          signed({
            service: "logs",
            headers: { ...json11, "x-amz-target": "Logs_20140328.DescribeLogGroups" },
            body: "{oops",
          }),
        status: 400,
        code: "SerializationException",
      },
      {
        what: "JSON array body",
        send: () =>
          signed({
            service: "ssm",
            headers: { ...json11, "x-amz-target": "AmazonSSM.GetParameter" },
            body: "[1,2]",
          }),
        status: 400,
        code: "SerializationException",
      },
      {
        what: "wrong member types",
        send: () =>
          signed({
            service: "logs",
            headers: { ...json11, "x-amz-target": "Logs_20140328.CreateLogGroup" },
            body: '{"logGroupName":42}',
          }),
        status: 400,
        code: "InvalidParameterException",
      },
      {
        what: "invalid log group name",
        send: () =>
          signed({
            service: "logs",
            headers: { ...json11, "x-amz-target": "Logs_20140328.CreateLogGroup" },
            body: '{"logGroupName":"bad name with spaces"}',
          }),
        status: 400,
        code: "InvalidParameterException",
      },
      {
        what: "unknown X-Amz-Target operation",
        send: () =>
          signed({
            service: "ssm",
            headers: { ...json11, "x-amz-target": "AmazonSSM.FlyToTheMoon" },
            body: "{}",
          }),
        status: 400,
        code: "UnknownOperationException",
      },
      {
        what: "an operation named like an Object.prototype member",
        send: () =>
          signed({
            service: "logs",
            headers: { ...json11, "x-amz-target": "Logs_20140328.constructor" },
            body: "{}",
          }),
        status: 400,
        code: "UnknownOperationException",
      },
      {
        what: "unknown X-Amz-Target service",
        send: () =>
          signed({ service: "ssm", headers: { ...json11, "x-amz-target": "Nope_2020.Thing" }, body: "{}" }),
        status: 400,
        code: "UnknownOperationException",
      },
      {
        what: "invalid Lambda function name",
        send: () => signed({ service: "lambda", method: "GET", path: "/2015-03-31/functions/bad%20name%21" }),
        status: 400,
        code: "ValidationException",
      },
      {
        what: "unknown Lambda route",
        send: () => signed({ service: "lambda", method: "PATCH", path: "/2015-03-31/functions/x/teleport" }),
        status: 400,
        code: "UnknownOperationException",
      },
      {
        what: "Lambda body that is not JSON",
        send: () => signed({ service: "lambda", path: "/2015-03-31/functions", body: "not json" }),
        status: 400,
        code: "InvalidRequestContentException",
      },
      {
        what: "Query request without Action",
        send: () =>
          signed({
            service: "sts",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "Version=2011-06-15",
          }),
        status: 400,
        code: "MissingAction",
      },
      {
        what: "CBOR body that is not CBOR",
        send: () =>
          signed({
            service: "monitoring",
            path: "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor" },
            body: new Uint8Array([0xff, 0x00, 0x13]),
          }),
        status: 400,
        code: "SerializationException",
      },
      {
        what: "a service the sandbox does not serve",
        send: () => signed({ service: "s3", method: "GET", path: "/my-bucket" }),
        status: 400,
        code: "UnknownOperationException",
      },
      {
        what: "a body over the size limit",
        send: () =>
          signed({
            service: "logs",
            headers: { ...json11, "x-amz-target": "Logs_20140328.PutLogEvents" },
            body: `{"x":"${"a".repeat(8 * 1024 * 1024)}"}`,
          }),
        status: 413,
        code: "RequestEntityTooLargeException",
      },
    ];
    for (const { what, send, status, code } of cases) {
      const response = await send();
      const body = await response.body.text();
      assert.equal(response.statusCode, status, `${what}: status (${body.slice(0, 200)})`);
      assert.equal(errorCodeOf(response.headers, body), code, `${what}: error code`);
    }
    const healthy = await new LambdaClient(config(dev)).send(new ListFunctionsCommand({}));
    assert.deepEqual(healthy.Functions, []);
  });

  test("an internal bug answers 500 InternalFailure, is logged, and the server keeps serving", async () => {
    const response = await request(`${aws.url}/_sandbox/boom`);
    const body = await response.body.text();
    assert.equal(response.statusCode, 500);
    assert.equal(errorCodeOf(response.headers, body), "InternalFailure");
    assert.ok(logged.some((line) => line.includes("the control handler exploded")));
    const control = await request(`${aws.url}/_sandbox/health`);
    assert.equal(control.statusCode, 200);
    await control.body.text();
  });
});
