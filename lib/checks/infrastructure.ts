/**
 * Infrastructure a deployment needs before bits move (tenant runbook 2.3 and 3.3): the function, the tables
 * with the key schema the code expects, the user pool and app client, the log group. Readers answer
 * "missing" instead of throwing on a resource that does not exist; judges are pure.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { sdk } from "../aws/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

const notFound = (error: unknown) =>
  error instanceof Error &&
  (error.name === "ResourceNotFoundException" || error.name === "NotFoundException");

/** Whether each function exists (GetFunctionConfiguration), with its runtime and state when it does. */
export async function describeFunctions(
  lambda: LambdaClient,
  functionNames: readonly string[],
): Promise<{ functionName: string; exists: boolean; state: string | null }[]> {
  return Promise.all(
    functionNames.map(async (functionName) => {
      try {
        const out = await lambda.send(
          new (sdk.lambda().GetFunctionConfigurationCommand)({ FunctionName: functionName }),
        );
        return { functionName, exists: true, state: out.State ?? null };
      } catch (error) {
        if (notFound(error)) return { functionName, exists: false, state: null };
        throw error;
      }
    }),
  );
}

/** Whether each log group exists (DescribeLogGroups with the exact name as prefix). */
export async function describeLogGroups(
  logs: CloudWatchLogsClient,
  names: readonly string[],
): Promise<{ name: string; exists: boolean }[]> {
  return Promise.all(
    names.map(async (name) => {
      const out = await logs.send(
        new (sdk.logs().DescribeLogGroupsCommand)({ logGroupNamePrefix: name, limit: 50 }),
      );
      return { name, exists: (out.logGroups ?? []).some((group) => group.logGroupName === name) };
    }),
  );
}

/** What a "resource exists" check found: one entry per resource. */
export interface ResourcePresence {
  readonly kind: string;
  readonly name: string;
  readonly exists: boolean;
  readonly detail?: string;
}

/** Every resource exists; none listed is inconclusive (the names in runbooks/ found nothing to check). */
export function judgeResourcesExist(kind: string, resources: readonly ResourcePresence[]): Finding {
  const evidence = { kind, resources };
  if (resources.length === 0) {
    return inconclusive(
      `No ${kind} is named for this service and environment, so there is nothing to check. Check runbooks/services.ts.`,
      evidence,
    );
  }
  const missing = resources.filter((r) => !r.exists);
  if (missing.length > 0) {
    return failed(
      `${missing.map((r) => `${r.kind} ${r.name}${r.detail ? ` (${r.detail})` : ""}`).join("; ")} ${missing.length === 1 ? "does" : "do"} not exist. Create ${missing.length === 1 ? "it" : "them"} (the service's Terraform) before promoting into this environment.`,
      evidence,
    );
  }
  return passed(
    `All ${resources.length} ${kind}${resources.length === 1 ? "" : "s"} exist: ${resources.map((r) => r.name).join(", ")}.`,
    evidence,
  );
}

/** A table's keys as DescribeTable shows them. */
export interface TableKeys {
  readonly table: string;
  readonly exists: boolean;
  /** "PK:HASH:S" style entries of the table's key schema. */
  readonly keys: readonly string[];
  /** Global secondary indexes with their keys, e.g. { byTenant: ["tenantId:HASH:S", "SK:RANGE:S"] }. */
  readonly indexes: Readonly<Record<string, readonly string[]>>;
}

/** DescribeTable for each table: its key schema and index keys, with the attribute types. */
export async function describeTableKeys(
  dynamodb: DynamoDBClient,
  tables: readonly string[],
): Promise<TableKeys[]> {
  return Promise.all(
    tables.map(async (table) => {
      try {
        const out = await dynamodb.send(new (sdk.dynamodb().DescribeTableCommand)({ TableName: table }));
        const types = new Map(
          (out.Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName ?? "", a.AttributeType ?? ""]),
        );
        const keys = (schema: { AttributeName?: string | undefined; KeyType?: string | undefined }[] = []) =>
          schema.map((k) => `${k.AttributeName}:${k.KeyType}:${types.get(k.AttributeName ?? "") ?? "?"}`);
        const indexes = Object.fromEntries(
          (out.Table?.GlobalSecondaryIndexes ?? []).map((index) => [
            index.IndexName ?? "",
            keys(index.KeySchema),
          ]),
        );
        return { table, exists: true, keys: keys(out.Table?.KeySchema), indexes };
      } catch (error) {
        if (notFound(error)) return { table, exists: false, keys: [], indexes: {} };
        throw error;
      }
    }),
  );
}

/** What the code expects of a table (docs/tenant-api-contract.md, storage). */
export interface ExpectedTableKeys {
  readonly keys: readonly string[];
  readonly indexes?: Readonly<Record<string, readonly string[]>>;
}

/** Every table has exactly the expected key schema and at least the expected indexes. */
export function judgeTableKeys(
  found: readonly TableKeys[],
  expected: Readonly<Record<string, ExpectedTableKeys>>,
): Finding {
  const evidence = { found, expected };
  if (found.length === 0) {
    return inconclusive("No table was described, so no key schema could be compared.", evidence);
  }
  const problems: string[] = [];
  for (const table of found) {
    const want = expected[table.table];
    if (!want) {
      problems.push(`${table.table}: the harness knows no expected key schema for it`);
      continue;
    }
    if (!table.exists) {
      problems.push(`${table.table} does not exist`);
      continue;
    }
    if (table.keys.join(",") !== want.keys.join(",")) {
      problems.push(
        `${table.table} has keys ${table.keys.join(", ") || "none"}, the code expects ${want.keys.join(", ")}`,
      );
    }
    for (const [index, keys] of Object.entries(want.indexes ?? {})) {
      const got = table.indexes[index];
      if (!got) problems.push(`${table.table} has no index ${index} (${keys.join(", ")})`);
      else if (got.join(",") !== keys.join(","))
        problems.push(
          `${table.table} index ${index} has keys ${got.join(", ")}, the code expects ${keys.join(", ")}`,
        );
    }
  }
  if (problems.length > 0) {
    return failed(
      `${problems.join("; ")}. The function reads and writes these keys: fix the table definition before promoting.`,
      evidence,
    );
  }
  return passed(
    `All ${found.length} tables have the key schema the code expects (${found.map((t) => `${t.table}: ${t.keys.join(", ")}`).join("; ")}).`,
    evidence,
  );
}

/** The user pool and app client the environment names, as DescribeUserPool / DescribeUserPoolClient see them. */
export async function describeUserPool(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string | null,
  clientId: string | null,
): Promise<{ pool: ResourcePresence; client: ResourcePresence }> {
  const pool = async (): Promise<ResourcePresence> => {
    if (userPoolId === null)
      return {
        kind: "user pool",
        name: "(no userPoolId configured)",
        exists: false,
        detail: "set cognito.userPoolId",
      };
    try {
      const out = await cognito.send(new (sdk.cognito().DescribeUserPoolCommand)({ UserPoolId: userPoolId }));
      return { kind: "user pool", name: out.UserPool?.Name ?? userPoolId, exists: true, detail: userPoolId };
    } catch (error) {
      if (notFound(error)) return { kind: "user pool", name: userPoolId, exists: false };
      throw error;
    }
  };
  const client = async (): Promise<ResourcePresence> => {
    if (userPoolId === null || clientId === null)
      return {
        kind: "app client",
        name: "(no clientId configured)",
        exists: false,
        detail: "set cognito.clientId",
      };
    try {
      const out = await cognito.send(
        new (sdk.cognito().DescribeUserPoolClientCommand)({ UserPoolId: userPoolId, ClientId: clientId }),
      );
      return {
        kind: "app client",
        name: out.UserPoolClient?.ClientName ?? clientId,
        exists: true,
        detail: clientId,
      };
    } catch (error) {
      if (notFound(error)) return { kind: "app client", name: clientId, exists: false };
      throw error;
    }
  };
  const [p, c] = await Promise.all([pool(), client()]);
  return { pool: p, client: c };
}

/** The user pool is the one the runbook names (bbws-user-pool-{env}). */
export function judgeUserPoolName(pool: ResourcePresence, expectedName: string): Finding {
  if (!pool.exists) return judgeResourcesExist("user pool", [pool]);
  return pool.name === expectedName
    ? passed(`User pool ${pool.detail} is ${expectedName}.`, { pool })
    : failed(
        `The configured user pool ${pool.detail} is named ${pool.name}, not ${expectedName}: the environment's cognito.userPoolId points at another pool.`,
        { pool, expectedName },
      );
}

/**
 * What the tenant function expects of its tables (docs/tenant-api-contract.md, storage): hash key PK and range
 * key SK, both strings; the instances table also has the byTenant index (tenantId, SK).
 */
export const TENANT_TABLE_KEYS: Readonly<Record<string, ExpectedTableKeys>> = {
  "bbws-tenants-{env}": { keys: ["PK:HASH:S", "SK:RANGE:S"] },
  "bbws-instances-{env}": {
    keys: ["PK:HASH:S", "SK:RANGE:S"],
    indexes: { byTenant: ["tenantId:HASH:S", "SK:RANGE:S"] },
  },
  "bbws-invitations-{env}": { keys: ["PK:HASH:S", "SK:RANGE:S"] },
};

/** The API answers at its URL with any HTTP status (a 5xx is still an answer: the smoke suite judges it). */
export function judgeApiAnswers(url: string, answer: { status: number } | { unreachable: string }): Finding {
  if ("unreachable" in answer) {
    return failed(
      `Nothing answers at ${url}: ${answer.unreachable}. Check the environment's apiUrl and that the API Gateway is deployed.`,
      { url, answer },
    );
  }
  return passed(`The API answers at ${url} (GET /health: ${answer.status}).`, { url, answer });
}

/** What became of a mutating request tried against a read-only environment. */
export type MutatingAttempt =
  | { readonly refused: true; readonly message: string }
  | { readonly refused: false; readonly status: number };

/** Tenant runbook 2.1: in a read-only environment a mutating request is refused before it is sent. */
export function judgeReadOnlyRefusal(environmentName: string, attempt: MutatingAttempt): Finding {
  return attempt.refused
    ? passed(
        `${environmentName} is read-only: the mutating request was refused before it was sent (${attempt.message}).`,
        {
          attempt,
        },
      )
    : failed(
        `A mutating request reached ${environmentName} (HTTP ${attempt.status}): the read-only policy did not stop it. Check policy.readOnly in runbooks/environments.ts and the API client.`,
        { attempt },
      );
}
