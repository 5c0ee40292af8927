/**
 * What the post-deploy suite expects behind the alias: from HARNESS_EXPECTED_VERSION (what the pipeline just
 * deployed), else the newest deployment record of the function, else the access service's SSM parameter.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { sdk } from "../aws/index.ts";
import { CheckConfigError } from "./errors.ts";

/** An item of `bbws-deployments-{env}` (docs/tenant-api-contract.md, storage). */
export const DeploymentRecordSchema = z.object({
  PK: z.string(),
  SK: z.string(),
  functionName: z.string(),
  functionVersion: z.string(),
  appVersion: z.string(),
  codeSha256: z.string(),
  deployedAt: z.string(),
  deployedBy: z.string().optional(),
  sourceEnvironment: z.string().nullable().optional(),
  /** The run that wrote the record (a promotion's or a rollback's). */
  runId: z.string().optional(),
  /** Written by a rollback for the version it restored (lib/checks/rollback-record.ts), not by a deployment. */
  rollback: z.boolean().optional(),
  /** Why, on a rollback's record. */
  reason: z.string().optional(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/** The version the suite expects, and where that expectation came from (shown in every reason). */
export type Expected =
  | { readonly by: "lambda-version"; readonly functionVersion: string; readonly source: string }
  | { readonly by: "app-version"; readonly appVersion: string; readonly source: string }
  | { readonly by: "unknown"; readonly source: string };

const ExpectedVersionVariableSchema = z
  .string()
  .trim()
  .regex(
    /^(\d+|v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)$/,
    "must be a Lambda version number (42) or an app version (1.5.0 or v1.5.0)",
  );

/** Parses HARNESS_EXPECTED_VERSION; null when unset or empty. Throws a readable error when malformed. */
export function expectedFromVariable(raw: string | undefined): Expected | null {
  if (raw === undefined || raw.trim() === "") return null;
  const parsed = ExpectedVersionVariableSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CheckConfigError(
      "HARNESS_EXPECTED_VERSION",
      `HARNESS_EXPECTED_VERSION=${JSON.stringify(raw)} cannot be used: ${parsed.error.issues[0]?.message ?? "invalid"}. Set it to what the pipeline deployed, or unset it to use the newest deployment record.`,
    );
  }
  const value = parsed.data;
  return /^\d+$/.test(value)
    ? { by: "lambda-version", functionVersion: value, source: "HARNESS_EXPECTED_VERSION" }
    : { by: "app-version", appVersion: stripV(value), source: "HARNESS_EXPECTED_VERSION" };
}

/** Every record of a function, newest first (deployments are rare, one page is plenty). */
export async function deploymentRecords(
  doc: DynamoDBDocumentClient,
  table: string,
  functionName: string,
): Promise<DeploymentRecord[]> {
  const page = await doc.send(
    new (sdk.dynamodbDoc().QueryCommand)({
      TableName: table,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `DEPLOYMENT#${functionName}` },
      ScanIndexForward: false,
      Limit: 100,
    }),
  );
  return (page.Items ?? []).map((item) => DeploymentRecordSchema.parse(item));
}

/**
 * The expectation for one function in the order the suite documents: HARNESS_EXPECTED_VERSION, else the newest
 * deployment record, else the SSM deployed version. `ssm` is null when the parameter was not read (a reader
 * reads it only when the rest decides nothing). Throws CheckConfigError when the variable is malformed.
 */
export function expectedFrom(options: {
  variable: string | undefined;
  deploymentsTable: string | null;
  /** The function's records in the deployments table, newest first. */
  records: readonly DeploymentRecord[];
  ssm: { readonly parameter: string; readonly version: string | null } | null;
}): Expected {
  const fromVariable = expectedFromVariable(options.variable);
  if (fromVariable) return fromVariable;
  const record = options.records[0];
  if (options.deploymentsTable !== null && record) {
    return {
      by: "lambda-version",
      functionVersion: record.functionVersion,
      source: `the newest record in ${options.deploymentsTable} (${record.deployedAt}, app version ${record.appVersion})`,
    };
  }
  if (options.ssm !== null && options.ssm.version !== null) {
    return { by: "app-version", appVersion: options.ssm.version, source: `SSM ${options.ssm.parameter}` };
  }
  return {
    by: "unknown",
    source: "neither HARNESS_EXPECTED_VERSION, a deployment record nor an SSM deployed-version parameter",
  };
}

/** Whether a published version (number + Description) is the expected one; null when nothing is expected. */
export function matchesExpected(
  expected: Expected,
  version: { functionVersion: string; appVersion: string },
): boolean | null {
  switch (expected.by) {
    case "lambda-version":
      return expected.functionVersion === version.functionVersion;
    case "app-version":
      return expected.appVersion === stripV(version.appVersion);
    case "unknown":
      return null;
  }
}

/** Words for the expectation: "version 4" or "app version 1.5.0". */
export function describeExpected(expected: Expected): string {
  switch (expected.by) {
    case "lambda-version":
      return `version ${expected.functionVersion} (from ${expected.source})`;
    case "app-version":
      return `app version ${expected.appVersion} (from ${expected.source})`;
    case "unknown":
      return "no expected version";
  }
}

function stripV(version: string): string {
  return version.startsWith("v") ? version.slice(1) : version;
}
