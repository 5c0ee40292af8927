/**
 * Deploying into a started sandbox: every fault kind shows its defect through the public endpoints
 * and a healthy redeploy removes it; a 10% canary splits API traffic; malformed requests get AWS- or
 * API-Gateway-shaped 4xx answers and leave the sandbox serving.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SignatureV4 } from "@smithy/signature-v4";
import { request } from "undici";
import { z } from "zod";
import {
  type DeployResult,
  type SandboxHandle,
  SandboxUsageError,
  startSandbox,
} from "../../sandbox/index.ts";

let sandbox: SandboxHandle;
let stateDir: string;
let token: string;
const env = "dev";
const fn = "bbws-tenant-instance-management-dev";

function clientConfig() {
  const e = sandbox.endpoints.environments[env];
  return {
    endpoint: sandbox.endpoints.awsEndpoint,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    maxAttempts: 1,
  };
}

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-deploy-"));
  // Twenty deploys in a row: retire idle versions' workers quickly instead of after a minute.
  sandbox = await startSandbox({ stateDir, workerIdleMs: 3_000 });
  const e = sandbox.endpoints.environments[env];
  const cognito = new CognitoIdentityProviderClient(clientConfig());
  const auth = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: e.cognito.clientId,
      AuthParameters: { USERNAME: e.cognito.smokeUser.username, PASSWORD: e.cognito.smokeUser.password },
    }),
  );
  cognito.destroy();
  token = auth.AuthenticationResult?.IdToken ?? "";
  assert.ok(token);
});

after(async () => {
  await sandbox?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

interface ApiResponse {
  status: number;
  json: unknown;
  ms: number;
}

async function api(
  method: string,
  path: string,
  options: { body?: unknown; auth?: boolean } = {},
): Promise<ApiResponse> {
  const started = performance.now();
  const response = await request(`${sandbox.endpoints.environments[env].apiUrl}${path}`, {
    method: method as "GET",
    headers: {
      ...(options.auth === false ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.body.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.statusCode, json, ms: performance.now() - started };
}

const TenantSchema = z.object({ id: z.string(), status: z.string(), createdAt: z.string() }).loose();

async function createTenant(): Promise<string> {
  const created = await api("POST", "/tenants", {
    body: {
      name: "Deploy test",
      contactEmail: "deploy-test@bbws.example",
      tags: { "harness-run-id": "sandbox-deploy-test" },
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return TenantSchema.parse(created.json).id;
}

async function health(): Promise<{ status: number; version: string | undefined }> {
  const response = await api("GET", "/health", { auth: false });
  const parsed = z.object({ version: z.string() }).safeParse(response.json);
  return { status: response.status, version: parsed.success ? parsed.data.version : undefined };
}

let patch = 10;
async function deploy(fault?: { kind: string; route?: string; delayMs?: number }): Promise<DeployResult> {
  patch += 1;
  return sandbox.deploy({ env, appVersion: `1.5.${patch}`, ...(fault ? { fault } : {}) });
}

describe("deploy", () => {
  test("a healthy deploy publishes a version, backs up the old one and records itself", async () => {
    const result = await deploy();
    assert.equal(result.functionName, fn);
    assert.equal(result.previousVersion, "3");
    assert.equal(result.functionVersion, "4");
    assert.equal(result.backupAlias, "backup-dev-v3");
    assert.match(result.codeSha256, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(await health(), { status: 200, version: result.appVersion });
  });

  test("bad requests name the valid values", async () => {
    await assert.rejects(sandbox.deploy({ env, fault: { kind: "meteor-strike" } }), (error: unknown) => {
      assert.ok(error instanceof SandboxUsageError);
      assert.match(error.message, /valid fault kinds: endpoint-5xx, .*alarm-in-alarm/);
      return true;
    });
    await assert.rejects(sandbox.deploy({ env: "qa" as "dev" }), /valid environments: dev, sit, prod/);
    await assert.rejects(
      sandbox.deploy({ env, fault: { kind: "endpoint-5xx", route: "POST /nowhere" } }),
      /Valid routes:\n.*GET \/health/s,
    );
    await assert.rejects(
      sandbox.deploy({ env, service: "access-management", fault: { kind: "writes-not-persisted" } }),
      (error: unknown) => error instanceof SandboxUsageError && /access-management/.test(error.message),
    );
  });

  test("access management deploys its three functions and records the version in SSM", async () => {
    const result = await sandbox.deploy({ env: "sit", service: "access-management", appVersion: "1.4.0" });
    assert.deepEqual(
      result.functions.map((f) => [f.functionName, f.functionVersion, f.previousVersion, f.backupAlias]),
      ["authorizer", "roles", "audit"].map((kind) => [
        `bbws-access-sit-lambda-${kind}`,
        "3",
        "2",
        "backup-sit-v2",
      ]),
    );
    const e = sandbox.endpoints.environments.sit;
    const ssm = new SSMClient({
      endpoint: sandbox.endpoints.awsEndpoint,
      region: e.region,
      credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    });
    const parameter = await ssm.send(new GetParameterCommand({ Name: "/bbws-access/sit/deployed-version" }));
    ssm.destroy();
    assert.equal(parameter.Parameter?.Value, "v1.4.0");
  });
});

describe("each fault shows its defect, and a healthy redeploy removes it", () => {
  test("endpoint-5xx", async () => {
    const tenant = await createTenant();
    await deploy({ kind: "endpoint-5xx", route: "POST /tenants/{id}/park" });
    assert.equal((await api("POST", `/tenants/${tenant}/park`)).status, 500);
    assert.equal((await api("GET", `/tenants/${tenant}`)).status, 200, "other routes still work");
    await deploy();
    assert.equal((await api("POST", `/tenants/${tenant}/park`)).status, 200);
  });

  test("slow-endpoint", async () => {
    await deploy({ kind: "slow-endpoint", route: "GET /tenants", delayMs: 800 });
    await api("GET", "/health", { auth: false });
    const slow = await api("GET", "/tenants");
    assert.equal(slow.status, 200);
    assert.ok(slow.ms >= 800, `took ${slow.ms} ms`);
    await deploy();
    await api("GET", "/health", { auth: false });
    // The fastest of three, so a busy machine does not pass for the fault.
    const fastest = Math.min(
      ...[await api("GET", "/tenants"), await api("GET", "/tenants"), await api("GET", "/tenants")].map(
        (r) => r.ms,
      ),
    );
    assert.ok(fastest < 800, `took ${fastest} ms`);
  });

  test("contract-drift", async () => {
    const tenant = await createTenant();
    await deploy({ kind: "contract-drift", route: "GET /tenants/{id}" });
    const drifted = await api("GET", `/tenants/${tenant}`);
    assert.equal(drifted.status, 200);
    assert.equal(TenantSchema.safeParse(drifted.json).success, false, JSON.stringify(drifted.json));
    await deploy();
    assert.equal(TenantSchema.safeParse((await api("GET", `/tenants/${tenant}`)).json).success, true);
  });

  test("auth-not-enforced", async () => {
    await deploy({ kind: "auth-not-enforced" });
    assert.equal((await api("GET", "/tenants", { auth: false })).status, 200);
    await deploy();
    assert.equal((await api("GET", "/tenants", { auth: false })).status, 401);
  });

  test("health-crash", async () => {
    await deploy({ kind: "health-crash" });
    const lambda = new LambdaClient(clientConfig());
    const invoke = () =>
      lambda.send(
        new InvokeCommand({
          FunctionName: fn,
          Qualifier: "latest-dev",
          Payload: Buffer.from(JSON.stringify({ httpMethod: "GET", path: "/health", headers: {} })),
        }),
      );
    assert.equal((await invoke()).FunctionError, "Unhandled");
    assert.equal((await health()).status, 502);
    await deploy();
    assert.equal((await invoke()).FunctionError, undefined);
    assert.equal((await health()).status, 200);
    lambda.destroy();
  });

  test("throttling", async () => {
    const deployedAt = new Date(Date.now() - 60_000);
    await deploy({ kind: "throttling" });
    const throttled = await api("GET", "/health", { auth: false });
    assert.equal(throttled.status, 429);
    assert.deepEqual(throttled.json, { message: "Too Many Requests" });
    const cloudwatch = new CloudWatchClient(clientConfig());
    const throttles = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Throttles",
        Dimensions: [{ Name: "FunctionName", Value: fn }],
        StartTime: deployedAt,
        EndTime: new Date(Date.now() + 60_000),
        Period: 300,
        Statistics: ["Sum"],
      }),
    );
    cloudwatch.destroy();
    const sum = (throttles.Datapoints ?? []).reduce((total, point) => total + (point.Sum ?? 0), 0);
    assert.ok(sum >= 1, `Throttles recorded: ${sum}`);
    await deploy();
    assert.equal((await health()).status, 200);
  });

  test("writes-not-persisted", async () => {
    await deploy({ kind: "writes-not-persisted" });
    const created = await api("POST", "/tenants", {
      body: {
        name: "Lost write",
        contactEmail: "lost@bbws.example",
        tags: { "harness-run-id": "sandbox-deploy-test" },
      },
    });
    assert.equal(created.status, 201);
    const id = TenantSchema.parse(created.json).id;
    assert.equal((await api("GET", `/tenants/${id}`)).status, 404);
    await deploy();
    const id2 = await createTenant();
    assert.equal((await api("GET", `/tenants/${id2}`)).status, 200);
  });

  test("wrong-version", async () => {
    const result = await deploy({ kind: "wrong-version" });
    const reported = await health();
    assert.equal(reported.status, 200);
    assert.notEqual(reported.version, result.appVersion);
    const healthy = await deploy();
    assert.equal((await health()).version, healthy.appVersion);
  });

  test("alarm-in-alarm", async () => {
    await deploy({ kind: "alarm-in-alarm" });
    const cloudwatch = new CloudWatchClient(clientConfig());
    const state = async () =>
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [`${fn}-errors`] }))).MetricAlarms?.[0]
        ?.StateValue;
    assert.equal(await state(), "ALARM");
    // The alarm is evaluated every second; the fault keeps it in ALARM over healthy data.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await state(), "ALARM");
    await deploy();
    assert.equal(await state(), "OK");
    cloudwatch.destroy();
  });

  test("log-errors", async () => {
    const logs = new CloudWatchLogsClient(clientConfig());
    const errorsSince = async (startTime: number) =>
      (
        await logs.send(
          new FilterLogEventsCommand({
            logGroupName: `/aws/lambda/${fn}`,
            startTime,
            filterPattern: "ERROR",
          }),
        )
      ).events ?? [];
    const faultyFrom = Date.now();
    await deploy({ kind: "log-errors" });
    assert.equal((await api("GET", "/tenants")).status, 200, "the build still answers correctly");
    assert.ok((await errorsSince(faultyFrom)).length >= 1, "ERROR lines in the function's log group");
    await deploy();
    const healthyFrom = Date.now();
    assert.equal((await api("GET", "/tenants")).status, 200);
    assert.equal((await errorsSince(healthyFrom)).length, 0);
    logs.destroy();
  });
});

describe("API latency", () => {
  test("setApiLatency and the control API delay every request; the control API wants the token", async () => {
    await sandbox.setApiLatency(500);
    const slowed = await api("GET", "/health", { auth: false });
    assert.ok(slowed.ms >= 500, `took ${slowed.ms} ms`);
    const control = `${sandbox.endpoints.controlUrl}/api-latency`;
    const refused = await request(control, { method: "POST", body: JSON.stringify({ ms: 0 }) });
    assert.equal(refused.statusCode, 401);
    await refused.body.text();
    const reset = await request(control, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.endpoints.controlToken}` },
      body: JSON.stringify({ ms: 0 }),
    });
    assert.equal(reset.statusCode, 200);
    assert.deepEqual(await reset.body.json(), { ms: 0 });
    const fast = Math.min(
      ...[
        await api("GET", "/health", { auth: false }),
        await api("GET", "/health", { auth: false }),
        await api("GET", "/health", { auth: false }),
      ].map((response) => response.ms),
    );
    assert.ok(fast < 500, `took ${fast} ms`);
    await assert.rejects(sandbox.setApiLatency(-1), SandboxUsageError);
  });
});

describe("canary", () => {
  // 800 requests: the binomial spread is ~1.1%, so 10% +/- 4% fails by chance about once in 6000 runs
  // (with 250 it would be once in 30).
  test("a 10% canary gets 10% +/- 4% of 800 API requests", async () => {
    const canary = await sandbox.deploy({ env, appVersion: "2.0.0", canaryWeight: 0.1 });
    assert.equal(canary.backupAlias, `backup-dev-v${canary.previousVersion}`);
    let onCanary = 0;
    const total = 800;
    for (let i = 0; i < total; i += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => health()));
      for (const response of batch) {
        assert.equal(response.status, 200);
        if (response.version === "2.0.0") onCanary += 1;
      }
    }
    const share = onCanary / total;
    assert.ok(share >= 0.06 && share <= 0.14, `canary share ${share}`);
    await deploy();
  });
});

/** Node's crypto as the SignatureV4 hash, so raw requests can be signed without the SDK. */
class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      secret === undefined || typeof secret === "string"
        ? secret
        : secret instanceof ArrayBuffer
          ? new Uint8Array(secret)
          : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  reset(): void {}
}

describe("malformed requests", () => {
  test("each gets a 4xx with an AWS-shaped body, and the sandbox keeps serving", async () => {
    const aws = new URL(sandbox.endpoints.awsEndpoint);
    const e = sandbox.endpoints.environments[env];
    const signer = (region: string, service: string) =>
      new SignatureV4({
        credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
        region,
        service,
        sha256: Sha256,
      });
    const signed = async (
      method: string,
      path: string,
      body: string,
      headers: Record<string, string> = {},
      region = e.region,
      service = "lambda",
    ) => {
      const req = await signer(region, service).sign({
        method,
        protocol: "http:",
        hostname: aws.hostname,
        port: Number(aws.port),
        path,
        headers: { host: aws.host, ...headers },
        body,
      });
      return request(`${sandbox.endpoints.awsEndpoint}${path}`, {
        method: method as "POST",
        headers: req.headers,
        body,
      });
    };
    const invokePath = (name: string, qualifier?: string) =>
      `/2015-03-31/functions/${encodeURIComponent(name)}/invocations${qualifier ? `?Qualifier=${qualifier}` : ""}`;

    const cases: [string, () => ReturnType<typeof request>][] = [
      ["Lambda invoke with a bad JSON payload", () => signed("POST", invokePath(fn), "{not json")],
      ["Lambda invoke of an unknown function", () => signed("POST", invokePath("no-such-function"), "{}")],
      ["Lambda invoke of an unknown alias", () => signed("POST", invokePath(fn, "no-such-alias"), "{}")],
      ["Lambda invoke in the wrong region", () => signed("POST", invokePath(fn), "{}", {}, "us-east-1")],
      ["Lambda invoke with an invalid name", () => signed("POST", invokePath("bad name!"), "{}")],
      [
        "Lambda invoke with a 7 MB payload",
        () => signed("POST", invokePath(fn), JSON.stringify({ blob: "x".repeat(7 * 1024 * 1024) })),
      ],
      [
        "Lambda call without an Authorization header",
        () => request(`${sandbox.endpoints.awsEndpoint}${invokePath(fn)}`, { method: "POST", body: "{}" }),
      ],
      [
        "CloudWatch call with a bad JSON body",
        () =>
          signed(
            "POST",
            "/",
            "{oops",
            {
              "content-type": "application/x-amz-json-1.0",
              "x-amz-target": "GraniteServiceVersion20100801.DescribeAlarms",
            },
            e.region,
            "monitoring",
          ),
      ],
      ["a garbage path on the AWS endpoint", () => signed("GET", "/%%garbage/../..", "")],
      [
        "a Cognito operation that does not exist",
        () =>
          signed(
            "POST",
            "/",
            "{}",
            {
              "content-type": "application/x-amz-json-1.1",
              "x-amz-target": "AWSCognitoIdentityProviderService.MakeMeAdmin",
            },
            e.region,
            "cognito-idp",
          ),
      ],
      [
        "an unsigned InitiateAuth for an unknown app client",
        () =>
          request(sandbox.endpoints.awsEndpoint, {
            method: "POST",
            headers: {
              "content-type": "application/x-amz-json-1.1",
              "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
            },
            body: JSON.stringify({
              AuthFlow: "USER_PASSWORD_AUTH",
              ClientId: "no-such-client",
              AuthParameters: { USERNAME: "smoke-test@bbws.example", PASSWORD: "x" },
            }),
          }),
      ],
    ];
    for (const [name, send] of cases) {
      const response = await send();
      const text = await response.body.text();
      assert.ok(
        response.statusCode >= 400 && response.statusCode < 500,
        `${name}: expected a 4xx, got ${response.statusCode} ${text.slice(0, 200)}`,
      );
      assert.match(
        text,
        /"(message|Message)"|<Message>/,
        `${name}: AWS-shaped error body, got ${text.slice(0, 200)}`,
      );
    }

    const apiUrl = e.apiUrl;
    const apiCases: [string, () => ReturnType<typeof request>][] = [
      ["API without a token", () => request(`${apiUrl}/tenants`)],
      [
        "API with a malformed JSON body",
        () =>
          request(`${apiUrl}/tenants`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}` },
            body: "{bad",
          }),
      ],
      ["API with a garbage path", () => request(`${apiUrl}/%zz/../../etc/passwd`)],
      [
        "API with an unknown route",
        () => request(`${apiUrl}/no/such/route`, { headers: { authorization: `Bearer ${token}` } }),
      ],
      [
        "API with an 11 MB body",
        () => request(`${apiUrl}/tenants`, { method: "POST", body: "x".repeat(11 * 1024 * 1024) }),
      ],
      [
        "API with a garbage Authorization header",
        () => request(`${apiUrl}/tenants`, { headers: { authorization: "Bearer !!!" } }),
      ],
    ];
    for (const [name, send] of apiCases) {
      const response = await send();
      const text = await response.body.text();
      assert.ok(
        response.statusCode >= 400 && response.statusCode < 500,
        `${name}: expected a 4xx, got ${response.statusCode} ${text.slice(0, 200)}`,
      );
      assert.match(text, /"message"/, `${name}: an error body with a message, got ${text.slice(0, 200)}`);
    }

    assert.equal((await health()).status, 200, "the sandbox still serves after the malformed batch");
  });
});
