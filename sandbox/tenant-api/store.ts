import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { DependencyError } from "../api-common/errors.ts";
import type { Page, PageKey } from "../api-common/pagination.ts";
import { encodePageToken } from "../api-common/pagination.ts";

export type Item = Record<string, unknown>;

/** A condition on a write, in DynamoDB expression syntax. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface QuerySpec {
  table: string;
  index?: string;
  keyCondition: string;
  filter?: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
  newestFirst: boolean;
  limit: number;
  startKey: PageKey | undefined;
  /** Attributes of the LastEvaluatedKey: the table's keys plus the index's, when querying an index. */
  keyAttributes: readonly string[];
}

const awsErrorName = (error: unknown): string | undefined => {
  const parsed = z.object({ name: z.string() }).safeParse(error);
  return parsed.success ? parsed.data.name : undefined;
};

// One client per container (module scope), as a Lambda function keeps it between invocations.
let sharedClient: DynamoDBDocumentClient | undefined;

function documentClient(): DynamoDBDocumentClient {
  // On the nodejs20.x runtime the SDK warns at client construction that future SDK releases need
  // Node 22. Lambda logs that warning through console.error, i.e. as an ERROR line on every cold
  // start, which would fail the runbook's "no errors in the logs" check for a healthy build. The
  // SDK's documented opt-out keeps the logs about this function's own behaviour.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Region, credentials and endpoint come from the standard chain (AWS_REGION, AWS_ENDPOINT_URL, ...).
  sharedClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return sharedClient;
}

/**
 * DynamoDB access for the API. `persistWrites: false` is the `writes-not-persisted` fault: every
 * write is acknowledged without being sent, so callers see success and a stale table.
 */
export class Store {
  readonly #client: DynamoDBDocumentClient;
  readonly #persistWrites: boolean;

  constructor(options: { persistWrites: boolean; client?: DynamoDBDocumentClient }) {
    this.#client = options.client ?? documentClient();
    this.#persistWrites = options.persistWrites;
  }

  async #send<T>(table: string, action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (awsErrorName(error) === "ConditionalCheckFailedException") throw error;
      throw new DependencyError(
        `DynamoDB ${action} on table ${table} failed (${awsErrorName(error) ?? "unknown error"}). Check that the table exists and the function's role and endpoint can reach it.`,
        { cause: error },
      );
    }
  }

  /** Reads one item by key, or `undefined`. Strongly consistent so a write is visible to the next read. */
  async get(table: string, key: PageKey): Promise<Item | undefined> {
    const result = await this.#send(table, "GetItem", () =>
      this.#client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
    );
    return result.Item;
  }

  /** Writes an item; returns false when `condition` did not hold. */
  async put(table: string, item: Item, condition?: Condition): Promise<boolean> {
    if (!this.#persistWrites) return true;
    try {
      await this.#send(table, "PutItem", () =>
        this.#client.send(
          new PutCommand({
            TableName: table,
            Item: item,
            ConditionExpression: condition?.expression,
            ExpressionAttributeNames: condition?.names,
            ExpressionAttributeValues: condition?.values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Deletes an item; returns false when `condition` did not hold. */
  async delete(table: string, key: PageKey, condition?: Condition): Promise<boolean> {
    if (!this.#persistWrites) return true;
    try {
      await this.#send(table, "DeleteItem", () =>
        this.#client.send(
          new DeleteCommand({
            TableName: table,
            Key: key,
            ConditionExpression: condition?.expression,
            ExpressionAttributeNames: condition?.names,
            ExpressionAttributeValues: condition?.values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Deletes every item of a partition (used for an instance's backups). */
  async deletePartition(table: string, pk: string): Promise<void> {
    if (!this.#persistWrites) return;
    let startKey: PageKey | undefined;
    do {
      const page = await this.#send(table, "Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": pk },
            ProjectionExpression: "PK, SK",
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const keys = (page.Items ?? []).map((item) => ({ PK: item.PK, SK: item.SK }));
      for (let i = 0; i < keys.length; i += 25) {
        const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        let unprocessed: BatchWriteCommandInput["RequestItems"] = { [table]: batch };
        for (
          let attempt = 0;
          unprocessed && Object.keys(unprocessed).length > 0 && attempt < 5;
          attempt += 1
        ) {
          const requestItems: BatchWriteCommandInput["RequestItems"] = unprocessed;
          const result: BatchWriteCommandOutput = await this.#send(table, "BatchWriteItem", () =>
            this.#client.send(new BatchWriteCommand({ RequestItems: requestItems })),
          );
          unprocessed = result.UnprocessedItems;
        }
      }
      startKey = toPageKey(page.LastEvaluatedKey);
    } while (startKey);
  }

  /**
   * One page of a query: up to `limit` items after `startKey`. Reads one item ahead so the last
   * page carries `nextToken: null` instead of a token that leads to an empty page, and keeps
   * reading past items a filter dropped so a page is full whenever more items exist.
   */
  async queryPage(spec: QuerySpec): Promise<Page<Item>> {
    const collected: Item[] = [];
    let startKey = spec.startKey;
    do {
      const wanted = spec.limit + 1 - collected.length;
      const page = await this.#send(spec.table, "Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: spec.table,
            IndexName: spec.index,
            KeyConditionExpression: spec.keyCondition,
            FilterExpression: spec.filter,
            ExpressionAttributeNames: spec.names,
            ExpressionAttributeValues: spec.values,
            ScanIndexForward: !spec.newestFirst,
            // With a filter, DynamoDB counts items before filtering: read more per round trip.
            Limit: spec.filter ? Math.max(wanted, 50) : wanted,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      collected.push(...(page.Items ?? []));
      startKey = toPageKey(page.LastEvaluatedKey);
    } while (startKey && collected.length <= spec.limit);

    if (collected.length <= spec.limit) return { items: collected, nextToken: null };
    const items = collected.slice(0, spec.limit);
    const last = items[items.length - 1] ?? {};
    const key: PageKey = {};
    for (const attribute of spec.keyAttributes) key[attribute] = String(last[attribute]);
    return { items, nextToken: encodePageToken(key) };
  }

  /** Every item of a query (small result sets only, e.g. a tenant's children). */
  async queryAll(
    spec: Omit<QuerySpec, "limit" | "startKey" | "newestFirst" | "keyAttributes">,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: PageKey | undefined;
    do {
      const page = await this.#send(spec.table, "Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: spec.table,
            IndexName: spec.index,
            KeyConditionExpression: spec.keyCondition,
            FilterExpression: spec.filter,
            ExpressionAttributeNames: spec.names,
            ExpressionAttributeValues: spec.values,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = toPageKey(page.LastEvaluatedKey);
    } while (startKey);
    return items;
  }
}

function toPageKey(key: Record<string, unknown> | undefined): PageKey | undefined {
  if (key === undefined) return undefined;
  const parsed = z.record(z.string(), z.string()).safeParse(key);
  if (!parsed.success)
    throw new DependencyError(
      "DynamoDB returned a LastEvaluatedKey with non-string attributes; the table's key schema does not match the contract (all keys are strings).",
    );
  return parsed.data;
}
