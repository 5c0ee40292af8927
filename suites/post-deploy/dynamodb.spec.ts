/** Post-deploy DynamoDB (tenant runbook 8.4): the tables are ACTIVE and the newest-tenant query reads an item. */
import {
  applicableItems,
  describeTables,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeRecentWrite,
  judgeTablesActive,
  newestItem,
  notApplicable,
  settle,
  tableNames,
  test,
  verifies,
} from "../../fixtures/index.ts";

/** The runbook's recent-writes query reads the tenants table under this partition key. */
const RECENT_WRITES = { tableTemplatePrefix: "bbws-tenants-", partitionKey: "TENANT#" } as const;

test.describe("post-deploy: DynamoDB", () => {
  test(
    "The service's tables are ACTIVE",
    verifies(...ITEMS.tables),
    async ({ aws, environment, service }) => {
      const tables = tableNames(service, environment.id);
      if (applicableItems(ITEMS.tables, service.id, environment.id).length === 0 || tables.length === 0) {
        notApplicable(`${service.id} keeps no tables the runbook checks in ${environment.displayName}.`);
      }
      const finding = await test.step(`Describe ${tables.join(", ")}`, async () =>
        judgeTablesActive(await describeTables(aws.dynamodb, tables)));
      await settle([finding], "tables");
    },
  );

  test(
    "A recent write is readable (newest tenant)",
    verifies(...ITEMS.recentWrites),
    async ({ aws, environment, service }) => {
      const table = tableNames(service, environment.id).find((t) =>
        t.startsWith(RECENT_WRITES.tableTemplatePrefix),
      );
      if (
        applicableItems(ITEMS.recentWrites, service.id, environment.id).length === 0 ||
        table === undefined
      ) {
        notApplicable(`${service.id} has no tenants table to query in ${environment.displayName}.`);
      }
      const finding =
        await test.step(`Query ${table} for the newest item under ${RECENT_WRITES.partitionKey}`, async () =>
          judgeRecentWrite(
            table,
            RECENT_WRITES.partitionKey,
            await newestItem(aws.dynamodbDoc, table, RECENT_WRITES.partitionKey),
          ));
      await settle([finding], "recent writes");
    },
  );
});
