/** Runbook 8.4: the service's tables are ACTIVE and the newest-tenant query returns an item. */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { sdk } from "../aws/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

/** One table as DescribeTable shows it; MISSING when the table does not exist. */
export interface TableStatus {
  readonly table: string;
  readonly status: string;
  readonly itemCount: number | null;
}

/** DescribeTable for each table, in the order given. */
export async function describeTables(
  dynamodb: DynamoDBClient,
  tables: readonly string[],
): Promise<TableStatus[]> {
  const statuses: TableStatus[] = [];
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
  return statuses;
}

/** All described tables must be ACTIVE; no table at all is inconclusive (nothing was described). */
export function judgeTablesActive(statuses: readonly TableStatus[]): Finding {
  if (statuses.length === 0) {
    return inconclusive(
      "No table was described, so there is nothing to judge. Check the table names in runbooks/services.ts.",
      { statuses },
    );
  }
  const bad = statuses.filter((s) => s.status !== "ACTIVE");
  if (bad.length > 0) {
    return failed(
      `${bad.map((s) => `${s.table} is ${s.status}`).join("; ")}. The function cannot serve requests that need ${bad.length === 1 ? "it" : "them"}; check the tables before going on.`,
      { statuses },
    );
  }
  return passed(`All ${statuses.length} tables are ACTIVE (${statuses.map((s) => s.table).join(", ")}).`, {
    statuses,
  });
}

/** The newest item under a partition key, as the recent-writes query shows it. */
export interface NewestItem {
  readonly PK: unknown;
  readonly SK: unknown;
  readonly updatedAt: unknown;
}

/** The runbook's recent-writes query: `PK = :pk`, newest first, limit 1; null when it returns no item. */
export async function newestItem(
  doc: DynamoDBDocumentClient,
  table: string,
  partitionKey: string,
): Promise<NewestItem | null> {
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
  return item ? { PK: item.PK, SK: item.SK, updatedAt: item.updatedAt ?? null } : null;
}

/** The recent-writes query must return an item: what was written is readable. */
export function judgeRecentWrite(table: string, partitionKey: string, newest: NewestItem | null): Finding {
  const evidence = { table, partitionKey, newest };
  if (!newest) {
    return failed(
      `The recent-writes query on ${table} (PK = ${partitionKey}, newest first) returned no item: nothing written is readable. Check that writes persist.`,
      evidence,
    );
  }
  return passed(
    `The recent-writes query on ${table} returned ${String(newest.SK)} (the newest item under ${partitionKey}).`,
    evidence,
  );
}
