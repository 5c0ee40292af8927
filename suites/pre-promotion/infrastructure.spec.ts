/**
 * Before bits move into an environment, what they need must be there (tenant runbook 2.1, 2.3, 3.3): read-only
 * PROD, the function, the API, the tables with the keys the code expects, the user pool, the log group.
 */
import {
  deploymentsTable,
  describeFunctions,
  describeLogGroups,
  describeTableKeys,
  describeTables,
  describeUserPool,
  expandTemplate,
  failed,
  functionNames,
  getApiHealth,
  PRE_PROMOTION_ITEMS as ITEMS,
  judgeApiAnswers,
  judgeReadOnlyRefusal,
  judgeResourcesExist,
  judgeTableKeys,
  judgeTablesActive,
  judgeUserPoolName,
  logGroup,
  type MutatingAttempt,
  passed,
  settle,
  TENANT_TABLE_KEYS,
  tableNames,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("pre-promotion: the target environment's infrastructure", () => {
  test(
    "PROD is read-only: a mutating request is refused before it is sent",
    verifies(...ITEMS.readOnly),
    async ({ requireApplicable, api, environment }) => {
      requireApplicable(ITEMS.readOnly, `${environment.displayName} is not read-only by runbook policy.`);
      const attempt =
        await test.step("Try POST /tenants through the API client", async (): Promise<MutatingAttempt> => {
          try {
            const response = await api.request({
              method: "POST",
              path: "/tenants",
              body: { name: "read-only probe" },
            });
            return { refused: false, status: response.status };
          } catch (error) {
            if (error instanceof Error && error.name === "ReadOnlyPolicyError")
              return { refused: true, message: error.message };
            throw error;
          }
        });
      await settle([judgeReadOnlyRefusal(environment.displayName, attempt)], "read-only policy");
    },
  );

  test("The function exists", verifies(...ITEMS.functionExists), async ({ aws, environment, service }) => {
    const found = await test.step("Get the function configuration", () =>
      describeFunctions(aws.lambda, functionNames(service, environment.id)));
    await settle(
      [
        judgeResourcesExist(
          "function",
          found.map((f) => ({ kind: "function", name: f.functionName, exists: f.exists })),
        ),
      ],
      "function",
    );
  });

  test(
    "The API answers at the environment's URL",
    verifies(...ITEMS.apiAnswers),
    async ({ api, environment }) => {
      const answer = await test.step("GET /health", async () => {
        try {
          return { status: (await getApiHealth(api)).status };
        } catch (error) {
          if (error instanceof Error && /Unreachable|Timeout/.test(error.name))
            return { unreachable: error.message };
          throw error;
        }
      });
      await settle([judgeApiAnswers(String(environment.apiUrl), answer)], "API");
    },
  );

  test(
    "The service's tables exist and are ACTIVE",
    verifies(...ITEMS.tablesExist),
    async ({ aws, environment, service }) => {
      const statuses = await describeTables(aws.dynamodb, tableNames(service, environment.id));
      await settle([judgeTablesActive(statuses)], "tables");
    },
  );

  test(
    "The deployment tracking table exists",
    verifies(...ITEMS.deploymentsTable),
    async ({ aws, environment, service }) => {
      const table = deploymentsTable(service, environment.id);
      const statuses = await describeTables(aws.dynamodb, table === null ? [] : [table]);
      await settle([judgeTablesActive(statuses)], "deployments table");
    },
  );

  test(
    "The Cognito user pool is the runbook's",
    verifies(...ITEMS.userPoolExists),
    async ({ aws, environment }) => {
      const { pool } = await test.step("Describe the configured user pool", () =>
        describeUserPool(aws.cognito, environment.cognito.userPoolId, environment.cognito.clientId));
      await settle([judgeUserPoolName(pool, environment.cognito.userPoolName)], "user pool");
    },
  );

  test(
    "The function's log group exists",
    verifies(...ITEMS.logGroupExists),
    async ({ aws, environment, service }) => {
      const groups = functionNames(service, environment.id).map((fn) => logGroup(fn, service));
      const found = await test.step(`Describe ${groups.join(", ")}`, () =>
        describeLogGroups(aws.logs, groups));
      await settle(
        [
          judgeResourcesExist(
            "log group",
            found.map((g) => ({ kind: "log group", name: g.name, exists: g.exists })),
          ),
        ],
        "log group",
      );
    },
  );

  test(
    "Each table's key schema is what the code expects",
    verifies(...ITEMS.tableSchemas),
    async ({ aws, environment }) => {
      const expected = Object.fromEntries(
        Object.entries(TENANT_TABLE_KEYS).map(([template, keys]) => [
          expandTemplate(template, { env: environment.id }),
          keys,
        ]),
      );
      const found = await test.step("Describe the tables' keys and indexes", () =>
        describeTableKeys(aws.dynamodb, Object.keys(expected)));
      await settle([judgeTableKeys(found, expected)], "table keys");
    },
  );

  test(
    "The user pool and app client exist and issue the smoke user a token",
    verifies(...ITEMS.cognitoConfigured),
    async ({ aws, environment, tokenSource }) => {
      const { pool, client } = await describeUserPool(
        aws.cognito,
        environment.cognito.userPoolId,
        environment.cognito.clientId,
      );
      const token = await test.step("Sign the smoke user in", async () =>
        (await tokenSource.get()).length > 0);
      await settle(
        [
          judgeResourcesExist("Cognito resource", [pool, client]),
          token
            ? passed("The smoke user signed in and got an ID token (not shown).")
            : failed("Cognito signed the smoke user in but returned an empty ID token."),
        ],
        "Cognito",
      );
    },
  );
});
