/** Runbook 8.4: the service's tables are ACTIVE and the newest-tenant query returns an item. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { sdk } from "../aws/index.ts";
import { type Finding, failed, passed } from "./finding.ts";

/** DescribeTable for each table: all must be ACTIVE. */
export async function judgeTablesActive(
  dynamodb: DynamoDBClient,
  tables: readonly string[],
): Promise<Finding> {
  const statuses: Array<{ table: string; status: string; itemCount: number | null }> = [];
  for (const table of tables) {
    try {
      const out = await dynamodb.send(new (sdk.dynamodb().DescribeTableCommand)({ TableName: table }));
      statuses.push({
        table,
        status: out.Table?.TableStatus ?? "UNKNOWN",
        itemCount: out.Table?.ItemCount ?? null,
      });
    } catch (error) {
      if (!(error instanceof Error) || error.name !== "ResourceNotFoundException") throw error;
      statuses.push({ table, status: "MISSING", itemCount: null });
    }
  }
  const bad = statuses.filter((s) => s.status !== "ACTIVE");
  if (bad.length > 0) {
    return failed(
      `${bad.map((s) => `${s.table} is ${s.status}`).join("; ")}. The function cannot serve requests that need ${bad.length === 1 ? "it" : "them"}; check the tables before going on.`,
      { statuses },
    );
  }
  return passed(`All ${tables.length} tables are ACTIVE (${tables.join(", ")}).`, { statuses });
}

/** The runbook's recent-writes query: `PK = :pk`, newest first, limit 1, must return an item. */
export async function judgeRecentWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  partitionKey: string,
): Promise<Finding> {
  const out = await doc.send(
    new (sdk.dynamodbDoc().QueryCommand)({
      TableName: table,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": partitionKey },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  const evidence = {
    table,
    partitionKey,
    newest: item ? { PK: item.PK, SK: item.SK, updatedAt: item.updatedAt ?? null } : null,
  };
  if (!item) {
    return failed(
      `The recent-writes query on ${table} (PK = ${partitionKey}, newest first) returned no item: nothing written is readable. Check that writes persist.`,
      evidence,
    );
  }
  return passed(
    `The recent-writes query on ${table} returned ${String(item.SK)} (the newest item under ${partitionKey}).`,
    evidence,
  );
}
