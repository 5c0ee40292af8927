/**
 * Tenant runbook 5.1 and 5.2 (and their SIT/PROD repeats, 6.4 and 7.4): the health check, directly on the
 * Lambda alias and through the API URL. Read-only, fast: also the scheduled health probe.
 */
import {
  aliasName,
  expect,
  functionNames,
  HealthSchema,
  SMOKE_ITEMS as ITEMS,
  invokeHealth,
  judgeHealthInvocation,
  readFunctionsUnderTest,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("Smoke: health check", () => {
  test("5.1 Direct Lambda invoke of /health on the live alias returns 200, healthy and the alias's version", {
    tag: ["@smoke", "@readonly", "@probe"],
    ...verifies(
      ITEMS.healthDirectInvoke,
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

    const finding =
      await test.step(`Invoke ${functionName}:${alias} with the runbook's health payload: statusCode 200, healthy, version ${expected}`, async () =>
        judgeHealthInvocation(
          await invokeHealth({
            lambda: aws.lambda,
            functionName,
            qualifier: alias,
            payload: service.healthPayload,
          }),
          { expectedAppVersion: expected, strictContract: true, expectedEnvironment: environment.id },
        ));
    await settle([finding], "health invoke");
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
