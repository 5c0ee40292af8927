/**
 * The started sandbox, seen from outside as the harness sees it: the seeded estate through the real
 * SDK clients with each environment's profile, Cognito tokens against the API front, the runbook's
 * direct invoke, account isolation, the endpoints file, and a stop that leaves nothing listening.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DescribeTableCommand, DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { z } from "zod";
import { EndpointsSchema } from "../../sandbox/endpoints.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";
import { environmentNames } from "../../sandbox/manifest.ts";

let sandbox: SandboxHandle;
let stateDir: string;

const accounts = {
  dev: { accountId: "536580886816", region: "eu-west-1" },
  sit: { accountId: "815856636111", region: "eu-west-1" },
  prod: { accountId: "093646564004", region: "af-south-1" },
} as const;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-estate-"));
  sandbox = await startSandbox({ stateDir });
  // The variables the sandbox tells users to export; the SDK's standard chain reads them, as the
  // harness's suites do. (The SDK takes endpoint_url from the profile named by AWS_PROFILE only, so the
  // endpoint comes from AWS_ENDPOINT_URL; region and credentials come from each client's profile.)
  for (const [name, value] of Object.entries(sandbox.endpoints.exports)) process.env[name] = value;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_REGION;
  delete process.env.AWS_PROFILE;
});

after(async () => {
  await sandbox?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** A client configured only by profile: region and endpoint come from the sandbox's aws-config. */
function profileOf(env: (typeof environmentNames)[number]) {
  return { profile: `bbws-${env}`, maxAttempts: 1 };
}

async function idToken(env: (typeof environmentNames)[number]): Promise<string> {
  const e = sandbox.endpoints.environments[env];
  const client = new CognitoIdentityProviderClient(profileOf(env));
  const result = await client.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: e.cognito.clientId,
      AuthParameters: { USERNAME: e.cognito.smokeUser.username, PASSWORD: e.cognito.smokeUser.password },
    }),
  );
  client.destroy();
  const token = result.AuthenticationResult?.IdToken;
  assert.ok(token, "InitiateAuth returned an ID token");
  return token;
}

describe("endpoints file", () => {
  test("is private and holds what docs/sandbox-interface.md describes", async () => {
    const path = join(stateDir, "endpoints.json");
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(sandbox.endpoints.awsSharedCredentialsFile)).mode & 0o777, 0o600);
    const parsed = EndpointsSchema.parse(JSON.parse(await readFile(path, "utf8")));
    assert.deepEqual(parsed, sandbox.endpoints);
    assert.equal(parsed.pid, process.pid);
    for (const env of environmentNames) {
      const e = parsed.environments[env];
      assert.equal(e.accountId, accounts[env].accountId);
      assert.equal(e.region, accounts[env].region);
      assert.match(e.accessKeyId, /^AKIA[A-Z0-9]{16}$/);
      assert.match(e.cognito.userPoolId, new RegExp(`^${accounts[env].region}_`));
      assert.equal(e.cognito.issuer, `${parsed.awsEndpoint}/${e.cognito.userPoolId}`);
      assert.match(e.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const keys = new Set(environmentNames.map((env) => parsed.environments[env].accessKeyId));
    assert.equal(keys.size, 3, "every environment has its own access key");
    const config = await readFile(parsed.awsConfigFile, "utf8");
    assert.match(
      config,
      /\[profile bbws-prod\]\nregion = af-south-1\nendpoint_url = http:\/\/127\.0\.0\.1:\d+/,
    );
  });
});

describe("seeded estate, through each environment's profile", () => {
  for (const env of environmentNames) {
    test(`${env}: identity, functions, versions and aliases`, async () => {
      const sts = new STSClient(profileOf(env));
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Account, accounts[env].accountId);

      const lambda = new LambdaClient(profileOf(env));
      const fn = `bbws-tenant-instance-management-${env}`;
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: `latest-${env}` }));
      assert.equal(alias.FunctionVersion, "3");
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
      assert.deepEqual(
        versions.Versions?.map((v) => [v.Version, v.Description]),
        [
          ["$LATEST", "BBWS Tenant and Instance Management API"],
          ["1", "1.2.0"],
          ["2", "1.3.0"],
          ["3", "1.4.0"],
        ],
      );
      const live = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: "3" }),
      );
      assert.equal(live.Environment?.Variables?.TENANTS_TABLE, `bbws-tenants-${env}`);
      assert.equal(
        live.Environment?.Variables?.COGNITO_ISSUER,
        sandbox.endpoints.environments[env].cognito.issuer,
      );
      const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: fn }));
      const backups = aliases.Aliases?.filter((a) => a.Name?.startsWith("backup-")) ?? [];
      assert.deepEqual(
        backups.map((a) => [a.Name, a.FunctionVersion]),
        [[`backup-${env}-v2`, "2"]],
      );
      for (const kind of ["authorizer", "roles", "audit"]) {
        const accessFn = `bbws-access-${env}-lambda-${kind}`;
        const accessAliases = await lambda.send(new ListAliasesCommand({ FunctionName: accessFn }));
        const names = accessAliases.Aliases?.map((a) => `${a.Name}->${a.FunctionVersion}`).sort();
        assert.deepEqual(names, [`backup-${env}-v1->1`, `latest-${env}->2`]);
        const accessLive = await lambda.send(
          new GetFunctionConfigurationCommand({ FunctionName: accessFn, Qualifier: `latest-${env}` }),
        );
        assert.equal(accessLive.Description, "1.3.0");
      }
      lambda.destroy();
      sts.destroy();
    });

    test(`${env}: alarms OK, 24 h of healthy metrics, SSM version`, async () => {
      const cloudwatch = new CloudWatchClient(profileOf(env));
      const alarms = await cloudwatch.send(new DescribeAlarmsCommand({}));
      const states = Object.fromEntries((alarms.MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]));
      assert.deepEqual(states, {
        [`bbws-access-${env}-lambda-audit-errors`]: "OK",
        [`bbws-access-${env}-lambda-authorizer-errors`]: "OK",
        [`bbws-access-${env}-lambda-roles-errors`]: "OK",
        [`bbws-tenant-instance-management-${env}-duration-p95`]: "OK",
        [`bbws-tenant-instance-management-${env}-errors`]: "OK",
        [`bbws-tenant-instance-management-${env}-throttles`]: "OK",
      });
      const end = new Date();
      const start = new Date(end.getTime() - 24 * 3600_000);
      const fn = `bbws-tenant-instance-management-${env}`;
      // 24 h under {FunctionName} and under the alias's {FunctionName, Resource}.
      const fnDimension = { Name: "FunctionName", Value: fn };
      const resourceDimension = { Name: "Resource", Value: `${fn}:latest-${env}` };
      const versionDimension = { Name: "ExecutedVersion", Value: "3" };
      for (const [dimensions, minimumHours] of [
        [[fnDimension], 23],
        [[fnDimension, resourceDimension], 23],
        [[fnDimension, versionDimension], 2],
        [[fnDimension, resourceDimension, versionDimension], 2],
      ] as const) {
        const invocations = await cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/Lambda",
            MetricName: "Invocations",
            Dimensions: [...dimensions],
            StartTime: start,
            EndTime: end,
            Period: 3600,
            Statistics: ["Sum"],
          }),
        );
        const hours = invocations.Datapoints ?? [];
        const names = dimensions.map((d) => d.Name).join("+");
        assert.ok(
          hours.length >= minimumHours,
          `${names}: at least ${minimumHours} hours, got ${hours.length}`,
        );
        // Whole hours (not the partial first and last ones) hold at least 20 invocations a minute.
        const sorted = [...hours].sort(
          (a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0),
        );
        for (const hour of sorted.slice(1, -1))
          assert.ok((hour.Sum ?? 0) >= 20 * 60, `${names}: hourly Sum ${hour.Sum}`);
      }
      const [errors, throttles, duration] = await Promise.all(
        ["Errors", "Throttles", "Duration"].map((MetricName) =>
          cloudwatch.send(
            new GetMetricStatisticsCommand({
              Namespace: "AWS/Lambda",
              MetricName,
              Dimensions: [{ Name: "FunctionName", Value: fn }],
              StartTime: start,
              EndTime: end,
              Period: 86_400,
              ...(MetricName === "Duration" ? { ExtendedStatistics: ["p95"] } : { Statistics: ["Sum"] }),
            }),
          ),
        ),
      );
      const errorSum = errors?.Datapoints?.[0]?.Sum;
      assert.ok(errorSum !== undefined && errorSum < 5, `errors in 24 h below 5, got ${errorSum}`);
      assert.equal(throttles?.Datapoints?.[0]?.Sum, 0);
      const p95 = duration?.Datapoints?.[0]?.ExtendedStatistics?.p95;
      assert.ok(p95 !== undefined && p95 >= 30 && p95 <= 120, `p95 duration 30..120 ms, got ${p95}`);
      cloudwatch.destroy();

      const ssm = new SSMClient(profileOf(env));
      const parameter = await ssm.send(
        new GetParameterCommand({ Name: `/bbws-access/${env}/deployed-version` }),
      );
      assert.equal(parameter.Parameter?.Value, "v1.3.0");
      ssm.destroy();
    });

    test(`${env}: tables, the deployment record and seed tenants`, async () => {
      const dynamodb = new DynamoDBClient(profileOf(env));
      for (const table of ["tenants", "instances", "invitations", "deployments"]) {
        const described = await dynamodb.send(
          new DescribeTableCommand({ TableName: `bbws-${table}-${env}` }),
        );
        assert.equal(described.Table?.TableStatus, "ACTIVE");
      }
      const fn = `bbws-tenant-instance-management-${env}`;
      const latest = await dynamodb.send(
        new QueryCommand({
          TableName: `bbws-deployments-${env}`,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": { S: `DEPLOYMENT#${fn}` } },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const record = latest.Items?.[0];
      assert.equal(record?.functionVersion?.S, "3");
      assert.equal(record?.appVersion?.S, "1.4.0");
      const lambda = new LambdaClient(profileOf(env));
      const live = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: "3" }),
      );
      assert.equal(record?.codeSha256?.S, live.CodeSha256);
      lambda.destroy();
      const deployedAt = Date.parse(record?.deployedAt?.S ?? "");
      assert.ok(Date.now() - deployedAt > 24 * 3600_000, "the live version has run for more than 24 h");

      const tenants = await dynamodb.send(
        new QueryCommand({
          TableName: `bbws-tenants-${env}`,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": { S: "TENANT#" } },
          ScanIndexForward: false,
        }),
      );
      const seeded = (tenants.Items ?? []).filter((item) => item.tags?.M?.seed?.S === "true");
      assert.equal(seeded.length, 3);
      dynamodb.destroy();
    });
  }

  test("the live packages are the same bits in every environment", async () => {
    const shas = await Promise.all(
      environmentNames.map(async (env) => {
        const lambda = new LambdaClient(profileOf(env));
        const live = await lambda.send(
          new GetFunctionConfigurationCommand({
            FunctionName: `bbws-tenant-instance-management-${env}`,
            Qualifier: `latest-${env}`,
          }),
        );
        lambda.destroy();
        return live.CodeSha256;
      }),
    );
    assert.equal(new Set(shas).size, 1);
  });
});

describe("account isolation", () => {
  test("prod's function is not found with dev's credentials", async () => {
    const lambda = new LambdaClient({ ...profileOf("dev"), region: "af-south-1" });
    await assert.rejects(
      lambda.send(
        new GetAliasCommand({ FunctionName: "bbws-tenant-instance-management-prod", Name: "latest-prod" }),
      ),
      { name: "ResourceNotFoundException" },
    );
    lambda.destroy();
  });

  test("dev's table is not found with prod's credentials", async () => {
    const dynamodb = new DynamoDBClient({ ...profileOf("prod"), region: "eu-west-1" });
    await assert.rejects(dynamodb.send(new DescribeTableCommand({ TableName: "bbws-tenants-dev" })), {
      name: "ResourceNotFoundException",
    });
    dynamodb.destroy();
  });

  test("a dev token is refused by SIT's API", async () => {
    const token = await idToken("dev");
    const response = await fetch(`${sandbox.endpoints.environments.sit.apiUrl}/tenants`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 401);
  });
});

describe("API front and Cognito", () => {
  test("GET /health is healthy with the live version, without a token", async () => {
    const response = await fetch(`${sandbox.endpoints.environments.dev.apiUrl}/health`);
    assert.equal(response.status, 200);
    assert.ok(response.headers.get("x-amzn-requestid"));
    const body = z
      .object({ status: z.literal("healthy"), version: z.string(), environment: z.string() })
      .parse(await response.json());
    assert.equal(body.version, "1.4.0");
    assert.equal(body.environment, "dev");
  });

  test("a USER_PASSWORD_AUTH token lists tenants; no or a bad token gets 401", async () => {
    const token = await idToken("dev");
    const api = sandbox.endpoints.environments.dev.apiUrl;
    const ok = await fetch(`${api}/tenants`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const page = z.object({ items: z.array(z.object({ id: z.string() })) }).parse(await ok.json());
    assert.ok(page.items.length >= 3);
    const missing = await fetch(`${api}/tenants`);
    assert.equal(missing.status, 401);
    await missing.arrayBuffer();
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    const bad = await fetch(`${api}/tenants`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(bad.status, 401);
    await bad.arrayBuffer();
  });

  test("the runbook's direct invoke of /health returns a healthy proxy response", async () => {
    for (const env of environmentNames) {
      const lambda = new LambdaClient(profileOf(env));
      const result = await lambda.send(
        new InvokeCommand({
          FunctionName: `bbws-tenant-instance-management-${env}`,
          Payload: Buffer.from(JSON.stringify({ httpMethod: "GET", path: "/health", headers: {} })),
        }),
      );
      lambda.destroy();
      assert.equal(result.FunctionError, undefined);
      const response = z
        .object({ statusCode: z.number(), body: z.string() })
        .parse(JSON.parse(Buffer.from(result.Payload ?? []).toString("utf8")));
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /^\{"status":"healthy",/);
    }
  });
});

/** Inodes of the TCP sockets this process listens on (Linux /proc), whatever opened them. */
async function listeningSockets(): Promise<string[]> {
  const fds = await readdir("/proc/self/fd");
  const inodes = new Set<string>();
  for (const fd of fds) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const listening: string[] = [];
  for (const table of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    const lines = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // Field 3 is the state (0A = LISTEN), field 9 the inode.
      if (fields[3] === "0A" && fields[9] && inodes.has(fields[9])) listening.push(fields[9]);
    }
  }
  return listening;
}

describe("stop", () => {
  test("removes the endpoints files and leaves nothing listening", async () => {
    // dynalite per account/region, cognito, the AWS server and three API fronts.
    assert.ok((await listeningSockets()).length >= 7, "the sandbox's servers listen before stop");
    await sandbox.stop();
    await sandbox.stop();
    await assert.rejects(stat(join(stateDir, "endpoints.json")), { code: "ENOENT" });
    await assert.rejects(stat(sandbox.endpoints.awsSharedCredentialsFile), { code: "ENOENT" });
    await assert.rejects(stat(join(stateDir, "cognito")), { code: "ENOENT" });
    assert.deepEqual(await listeningSockets(), []);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(new URL(sandbox.endpoints.awsEndpoint).port), "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });
    assert.ok(refused, "the AWS endpoint refuses connections");
  });
});
