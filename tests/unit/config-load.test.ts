import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadHarnessConfig, requireUsable, requireUsableAll } from "../../lib/config/index.ts";

const fixture = (name: string) =>
  relative(process.cwd(), join(import.meta.dirname, "../fixtures-data/config", name));

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail("expected a ConfigError");
}

describe("loadHarnessConfig", () => {
  test("without overrides it returns the runbook defaults, SIT's URL still TBD", () => {
    const config = loadHarnessConfig({ env: {} });
    assert.equal(config.environments.dev.accountId, "536580886816");
    assert.equal(config.environments.prod.region, "af-south-1");
    assert.equal(config.environments.sit.apiUrl, "TBD");
    assert.equal(config.environments.prod.policy.readOnly, true);
    assert.equal(config.environments.dev.awsProfile, undefined);
    assert.deepEqual(config.sources, ["defaults: runbooks/environments.ts, runbooks/services.ts"]);
    assert.deepEqual(Object.keys(config.services), ["tenant-instance-management", "access-management"]);
    assert.equal(config.runbooks.length, 2);
  });

  test("a broken override file reports every problem in one message", () => {
    const file = fixture("broken.json");
    const error = configErrorOf(() => loadHarnessConfig({ configFile: file, env: {} }));
    assert.equal(error.exitCode, 2);
    assert.equal(error.name, "ConfigError");
    assert.equal(
      error.message,
      [
        `Invalid harness configuration in ${file} (9 problems):`,
        "  environments.dev.accountId: must be a 12-digit AWS account id",
        '  environments.dev.monitoring.windowSeconds: must be a number, got the string "30"',
        '  environments.dev.cognito.clientID: unknown key; did you mean "clientId"?',
        "  environments.sit.region: must be an AWS region such as eu-west-1",
        '  environments.sit.apiUrl: must be an http(s) URL or "TBD"',
        "  environments.sit.http.timeoutMs: must be a whole number",
        "  environments.sit.promotedFrom: is fixed by the runbook (it sets the promotion order) and cannot be overridden",
        "  environments.staging: unknown environment; expected one of dev, sit, prod",
        "  environments.prod.policy.readOnly: PROD is read-only by runbook policy and cannot be made writable",
        `Fix ${file} and run again; \`npm run runbook -- config-vars\` lists every override, its variable and its type.`,
      ].join("\n"),
    );
    assert.equal(error.issues.length, 9);
    assert.deepEqual(error.issues[0], {
      path: "environments.dev.accountId",
      message: "must be a 12-digit AWS account id",
    });
  });

  test("an unreadable file and a file that is not JSON are reported as such", () => {
    const missing = fixture("does-not-exist.json");
    const unreadable = configErrorOf(() => loadHarnessConfig({ configFile: missing, env: {} }));
    assert.equal(unreadable.issues.length, 1);
    assert.equal(unreadable.issues[0]?.path, missing);
    assert.match(unreadable.issues[0]?.message ?? "", /^cannot be read \(ENOENT/);

    const notJson = configErrorOf(() => loadHarnessConfig({ configFile: fixture("not-json.txt"), env: {} }));
    assert.equal(notJson.issues.length, 1);
    assert.match(notJson.issues[0]?.message ?? "", /^is not valid JSON \(/);
  });

  test("a valid file overrides the defaults and is named in sources", () => {
    const file = fixture("overrides.json");
    const config = loadHarnessConfig({ configFile: file, env: {} });
    assert.equal(config.environments.sit.apiUrl, "https://api-sit.bbws.example.test");
    assert.equal(config.environments.sit.cognito.clientId, "sit-client-from-file");
    assert.deepEqual(config.environments.sit.monitoring, { intervalSeconds: 10, windowSeconds: 60 });
    assert.equal(
      config.environments.sit.cognito.userPoolName,
      "bbws-user-pool-sit",
      "siblings keep defaults",
    );
    assert.equal(config.environments.prod.awsProfile, "bbws-prod");
    assert.ok(config.sources.includes(`environments.sit.apiUrl from ${file}`));
    assert.ok(config.sources.includes(`environments.prod.awsProfile from ${file}`));
  });

  test("HARNESS_CONFIG names the file when no configFile is given", () => {
    const config = loadHarnessConfig({ env: { HARNESS_CONFIG: fixture("overrides.json") } });
    assert.equal(config.environments.prod.awsProfile, "bbws-prod");
  });

  test("environment variables are coerced, applied after the file, and named in sources", () => {
    const config = loadHarnessConfig({
      configFile: fixture("overrides.json"),
      env: {
        HARNESS_SIT_API_URL: "http://127.0.0.1:45679",
        HARNESS_DEV_COGNITO_USER_POOL_ID: "eu-west-1_DevPool9",
        HARNESS_DEV_COGNITO_CLIENT_ID: "dev-client",
        HARNESS_PROD_AWS_PROFILE: "bbws-prod-readonly",
        HARNESS_DEV_ACCOUNT_ID: "111122223333",
        HARNESS_SIT_MONITORING_WINDOW_SECONDS: "45",
        HARNESS_DEV_HTTP_TIMEOUT_MS: "2500",
        HARNESS_SIT_AUTO_DEPLOY: "true",
        HARNESS_PROD_CLOUD_FRONT_URL: "null",
        HARNESS_DEV_REGION: "",
      },
    });
    const { dev, sit, prod } = config.environments;
    assert.equal(sit.apiUrl, "http://127.0.0.1:45679");
    assert.equal(dev.cognito.userPoolId, "eu-west-1_DevPool9");
    assert.equal(dev.cognito.clientId, "dev-client");
    assert.equal(prod.awsProfile, "bbws-prod-readonly");
    assert.equal(dev.accountId, "111122223333");
    assert.equal(sit.monitoring.windowSeconds, 45);
    assert.equal(dev.http.timeoutMs, 2500);
    assert.equal(sit.autoDeploy, true);
    assert.equal(prod.cloudFrontUrl, null);
    assert.equal(dev.region, "eu-west-1", "an empty variable counts as unset");
    assert.ok(config.sources.includes("environments.sit.apiUrl from HARNESS_SIT_API_URL"));
    const fromFile = config.sources.indexOf(`environments.sit.apiUrl from ${fixture("overrides.json")}`);
    const fromVar = config.sources.indexOf("environments.sit.apiUrl from HARNESS_SIT_API_URL");
    assert.ok(fromFile > 0 && fromVar > fromFile, "the variable is applied after the file");
  });

  test("bad variables are each named in the message", () => {
    const error = configErrorOf(() =>
      loadHarnessConfig({
        env: {
          HARNESS_DEV_ACCOUNT_ID: "53658088681",
          HARNESS_DEV_HTTP_TIMEOUT_MS: "ten seconds",
          HARNESS_SIT_AUTO_DEPLOY: "yes please",
          HARNESS_SIT_API_URL: "api-sit.internal",
          HARNESS_SIT_API_ULR: "https://api-sit.internal",
          HARNESS_PROD_POLICY_READ_ONLY: "false",
          HARNESS_LIST_ONLY: "1",
        },
      }),
    );
    assert.equal(
      error.message,
      [
        "Invalid harness configuration in environment variables (6 problems):",
        "  HARNESS_DEV_ACCOUNT_ID: must be a 12-digit AWS account id",
        '  HARNESS_DEV_HTTP_TIMEOUT_MS: must be a number, got "ten seconds"',
        '  HARNESS_SIT_API_URL: must be an http(s) URL or "TBD"',
        '  HARNESS_SIT_AUTO_DEPLOY: must be true or false, got "yes please"',
        '  HARNESS_SIT_API_ULR: unknown variable; did you mean "HARNESS_SIT_API_URL"?',
        "  HARNESS_PROD_POLICY_READ_ONLY: PROD is read-only by runbook policy and cannot be made writable",
        "Fix or unset the variables above and run again; `npm run runbook -- config-vars` lists every override, its variable and its type.",
      ].join("\n"),
    );
  });

  test("problems in the file and in variables are reported together", () => {
    const file = fixture("broken.json");
    const error = configErrorOf(() =>
      loadHarnessConfig({ configFile: file, env: { HARNESS_DEV_REGION: "mars" } }),
    );
    assert.equal(error.issues.length, 10);
    assert.match(
      error.message,
      new RegExp(`^Invalid harness configuration in ${file} and environment variables \\(10 problems\\):`),
    );
    assert.ok(error.issues.some((issue) => issue.path === "HARNESS_DEV_REGION"));
  });
});

describe("requireUsable", () => {
  test("SIT's TBD API URL stops a run and names the override that fills it", () => {
    const { sit } = loadHarnessConfig({ env: {} }).environments;
    const error = configErrorOf(() => requireUsable(sit, "apiUrl"));
    assert.equal(error.exitCode, 2);
    assert.equal(
      error.message,
      [
        "Environment sit lacks a value this run needs (1 problem):",
        '  environments.sit.apiUrl: is "TBD" in the runbook; set HARNESS_SIT_API_URL or environments.sit.apiUrl in your config file',
        "Fill it in and run again; `npm run runbook -- config-vars` lists every override, its variable and its type.",
      ].join("\n"),
    );
  });

  test("HARNESS_SIT_API_URL fills SIT's TBD URL", () => {
    const { sit } = loadHarnessConfig({
      env: { HARNESS_SIT_API_URL: "https://api-sit.internal.test" },
    }).environments;
    assert.equal(requireUsable(sit, "apiUrl"), "https://api-sit.internal.test");
  });

  test("requireUsableAll lists every missing value at once", () => {
    const { dev } = loadHarnessConfig({ env: {} }).environments;
    const error = configErrorOf(() =>
      requireUsableAll(dev, ["apiUrl", "cognito.userPoolId", "cognito.clientId"]),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.message),
      [
        "is not set; set HARNESS_DEV_COGNITO_USER_POOL_ID or environments.dev.cognito.userPoolId in your config file",
        "is not set; set HARNESS_DEV_COGNITO_CLIENT_ID or environments.dev.cognito.clientId in your config file",
      ],
    );
    const filled = loadHarnessConfig({
      env: { HARNESS_DEV_COGNITO_USER_POOL_ID: "eu-west-1_Abc", HARNESS_DEV_COGNITO_CLIENT_ID: "client" },
    }).environments.dev;
    assert.deepEqual(requireUsableAll(filled, ["apiUrl", "cognito.clientId"]), {
      apiUrl: "https://o158f3j653.execute-api.eu-west-1.amazonaws.com",
      "cognito.clientId": "client",
    });
  });
});
