import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type HealthInvocation, judgeHealthInvocation } from "../../lib/checks/health.ts";

const invoked = "bbws-tenant-instance-management-sit:latest-sit";
const payload = { httpMethod: "GET", path: "/health", headers: {} };
const tenantHealth = {
  status: "healthy",
  version: "1.5.0",
  service: "tenant-instance-management",
  environment: "sit",
  timestamp: "2026-11-22T06:00:00.000Z",
};

function answered(
  overrides: Partial<Extract<HealthInvocation, { kind: "answered" }>> = {},
): HealthInvocation {
  return {
    kind: "answered",
    invoked,
    payload,
    statusCode: 200,
    functionError: null,
    executedVersion: "4",
    response: JSON.stringify({ statusCode: 200, body: JSON.stringify(tenantHealth) }),
    ...overrides,
  };
}

const proxy = (statusCode: unknown, body?: unknown) =>
  JSON.stringify(body === undefined ? { statusCode } : { statusCode, body: JSON.stringify(body) });

const strict = { expectedAppVersion: "1.5.0", strictContract: true };
const generic = { expectedAppVersion: "1.5.0", strictContract: false };

describe("judgeHealthInvocation", () => {
  test("200 healthy with the version behind the alias passes", () => {
    const finding = judgeHealthInvocation(answered(), strict);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `${invoked} answered 200 healthy with version 1.5.0.`);
    assert.equal(finding.evidence.executedVersion, "4");
  });

  test("200 healthy but another version fails: the running code is not the released build", () => {
    const response = proxy(200, { ...tenantHealth, version: "1.4.0" });
    const finding = judgeHealthInvocation(answered({ response }), strict);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${invoked} reports version 1.4.0, but the version behind it was published as 1.5.0: the running code is not the build that was released.`,
    );
  });

  test("a body naming another environment than the one invoked fails; without an expectation it is not judged", () => {
    const response = proxy(200, { ...tenantHealth, environment: "prod" });
    const finding = judgeHealthInvocation(answered({ response }), { ...strict, expectedEnvironment: "sit" });
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /says it runs in prod, but it was invoked in sit/);
    assert.equal(
      judgeHealthInvocation(answered(), { ...strict, expectedEnvironment: "sit" }).status,
      "passed",
    );
    assert.equal(judgeHealthInvocation(answered({ response }), strict).status, "passed");
  });

  test("a refusal by Lambda fails, naming the error, with the message redacted", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const finding = judgeHealthInvocation(
      {
        kind: "refused",
        invoked,
        payload,
        error: "TooManyRequestsException",
        message: `Rate exceeded ${jwt}`,
      },
      strict,
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `The health invoke of ${invoked} was refused by Lambda (TooManyRequestsException: Rate exceeded [REDACTED]). The function cannot serve requests; check its concurrency and state.`,
    );
    assert.deepEqual(finding.evidence, { invoked, payload, error: "TooManyRequestsException" });
  });

  test("a FunctionError fails inside the function, whatever the payload says", () => {
    const response = JSON.stringify({ errorType: "Error", errorMessage: "boom" });
    const finding = judgeHealthInvocation(answered({ functionError: "Unhandled", response }), strict);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^The health invoke of .* failed inside the function \(Unhandled\): \{"errorType"/,
    );
    assert.match(finding.reason, /the deployment should be rolled back\.$/);
    assert.equal(finding.evidence.functionError, "Unhandled");
  });

  test("a response that is not JSON is not a proxy result", () => {
    const finding = judgeHealthInvocation(answered({ response: "Internal Server Error" }), strict);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^The health invoke of .* did not return an API Gateway proxy result \(statusCode, body\): /,
    );
  });

  test("an empty response is not a proxy result", () => {
    const finding = judgeHealthInvocation(answered({ response: "" }), strict);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /did not return an API Gateway proxy result/);
  });

  test("a statusCode other than 200 fails, also 201 and 500", () => {
    for (const statusCode of [201, 500]) {
      const finding = judgeHealthInvocation(answered({ response: proxy(statusCode, tenantHealth) }), strict);
      assert.equal(finding.status, "failed");
      assert.equal(
        finding.reason,
        `The health invoke of ${invoked} returned statusCode ${statusCode}, not 200.`,
      );
    }
  });

  test("a body that is not JSON does not match the Health schema", () => {
    const response = JSON.stringify({ statusCode: 200, body: "OK" });
    const finding = judgeHealthInvocation(answered({ response }), strict);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^The health body of .* does not match the Health schema: /);
  });

  test("a 200 without a body does not match the Health schema", () => {
    const finding = judgeHealthInvocation(answered({ response: proxy(200) }), generic);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /does not match the Health schema/);
  });

  test("an unhealthy status fails the schema", () => {
    const response = proxy(200, { ...tenantHealth, status: "degraded" });
    assert.equal(judgeHealthInvocation(answered({ response }), generic).status, "failed");
  });

  test("the strict contract refuses extra or missing fields that the generic schema accepts", () => {
    const accessHealth = { status: "healthy", version: "1.5.0", region: "af-south-1" };
    const response = proxy(200, accessHealth);
    assert.equal(judgeHealthInvocation(answered({ response }), generic).status, "passed");
    const finding = judgeHealthInvocation(answered({ response }), strict);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /does not match the Health schema/);
  });

  test("the evidence redacts the response and keeps at most 4000 characters", () => {
    const secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const response = proxy(200, { ...tenantHealth, version: "1.4.0", token: secret, pad: "x".repeat(5000) });
    const finding = judgeHealthInvocation(answered({ response }), generic);
    const shown = String(finding.evidence.response);
    assert.ok(!shown.includes(secret));
    assert.ok(shown.length <= 4000);
  });
});
