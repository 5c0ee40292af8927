/**
 * Tenant runbook 5.1 and 5.2 (and their SIT/PROD repeats, 6.4 and 7.4): the health check, directly on the
 * Lambda alias and through the API URL. Read-only, fast: also the scheduled health probe.
 */
import { z } from "zod";
import {
  aliasName,
  expect,
  functionNames,
  HealthSchema,
  readFunctionsUnderTest,
  sdk,
  test,
  verifies,
} from "../../fixtures/index.ts";

/** What API Gateway's proxy integration expects back from the function. */
const ProxyResponseSchema = z.object({
  statusCode: z.number().int(),
  body: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
});

test.describe("Smoke: health check", () => {
  test("5.1 Direct Lambda invoke of /health on the live alias returns 200, healthy and the alias's version", {
    tag: ["@smoke", "@readonly", "@probe"],
    ...verifies(
      "tenant-deploy/5.1/health-direct-invoke",
      "tenant-deploy/6.4/health-direct-invoke",
      "tenant-deploy/7.4/health-direct-invoke",
    ),
  }, async ({ aws, environment, service }) => {
    const alias = aliasName(service, environment.id);
    const [functionName] = functionNames(service, environment.id);
    if (functionName === undefined) throw new Error(`Service ${service.id} names no function.`);

    const expected = await test.step(`Read the version alias ${alias} points to`, async () => {
      const [fn] = await readFunctionsUnderTest(aws.lambda, environment.id, [functionName], alias);
      expect(fn?.appVersion, `the Description of the version behind ${alias}`).toBeTruthy();
      return fn?.appVersion ?? "";
    });

    const invocation =
      await test.step(`Invoke ${functionName}:${alias} with the runbook's health payload`, () =>
        aws.lambda.send(
          new (sdk.lambda().InvokeCommand)({
            FunctionName: functionName,
            Qualifier: alias,
            Payload: Buffer.from(JSON.stringify(service.healthPayload)),
          }),
        ));
    expect(invocation.FunctionError, "the function raised an error instead of answering").toBeUndefined();
    expect(invocation.StatusCode).toBe(200);

    await test.step(`Verify statusCode 200, status healthy and version ${expected}`, async () => {
      const response = ProxyResponseSchema.parse(
        JSON.parse(Buffer.from(invocation.Payload ?? []).toString("utf8")),
      );
      expect(response.statusCode, `health body: ${response.body}`).toBe(200);
      const health = HealthSchema.parse(JSON.parse(response.body));
      expect(health.status).toBe("healthy");
      expect(
        health.version,
        `the function reports ${health.version}, alias ${alias} serves ${expected}`,
      ).toBe(expected);
      expect(health.environment).toBe(environment.id);
    });
  });

  test("5.2 GET /health through the API URL returns 200 with status healthy and the alias's version", {
    tag: ["@smoke", "@readonly", "@probe"],
    ...verifies("tenant-deploy/5.2/api-health"),
  }, async ({ api, aws, environment, service }) => {
    const alias = aliasName(service, environment.id);
    const [fn] = await test.step(`Read the version alias ${alias} points to`, () =>
      readFunctionsUnderTest(aws.lambda, environment.id, functionNames(service, environment.id), alias));
    const response = await test.step(`GET ${api.baseUrl}/health`, () =>
      api.request({ method: "GET", path: "/health", auth: "none" }));
    expect(response.status, `GET /health answered: ${response.text.slice(0, 500)}`).toBe(200);
    const health = HealthSchema.parse(response.body);
    expect(health.status).toBe("healthy");
    expect(health.version, `the API reports ${health.version}, alias ${alias} serves ${fn?.appVersion}`).toBe(
      fn?.appVersion,
    );
    expect(response.durationMs, `latency budget ${environment.http.latencyBudgetMs} ms`).toBeLessThanOrEqual(
      environment.http.latencyBudgetMs,
    );
  });
});
