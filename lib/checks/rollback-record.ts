/**
 * The record of a rollback (tenant runbook 9.3-9.4, access 5.3, 9.2), kept in the environment's
 * `bbws-deployments-{env}` table beside the deploy lock: `PK = "ROLLBACK#<service id>"`, `SK` = when the aliases
 * moved (ISO). `npm run rollback` writes it right after moving the aliases; the rollback suite reads the newest
 * one and checks the environment against it.
 */
import { z } from "zod";
import type { AwsClients } from "../aws/index.ts";
import { sdk } from "../aws/index.ts";

const IsoTime = z.iso.datetime({ offset: true });

export const RollbackFunctionSchema = z.object({
  functionName: z.string().min(1),
  /** The version the alias served before the rollback. */
  fromVersion: z.string().min(1),
  /** The version it was moved to. */
  toVersion: z.string().regex(/^\d+$/, "must be a published version number"),
  /** That version's app version (its Description) and CodeSha256, read when the rollback ran. */
  toAppVersion: z.string(),
  toCodeSha256: z.string().min(1),
  /** The backup alias that named the target (`backup-{env}-v<N>`), or null when the target came from elsewhere. */
  backupAlias: z.string().nullable(),
});
export type RollbackFunction = z.infer<typeof RollbackFunctionSchema>;

export const RollbackRecordSchema = z.object({
  PK: z.string().startsWith("ROLLBACK#"),
  SK: IsoTime,
  schemaVersion: z.literal(1),
  service: z.string().min(1),
  environment: z.string().min(1),
  runId: z.string().min(1),
  /** Why (required: runbook 9.3 refuses a rollback without one). */
  reason: z.string().min(1),
  /** Who ran it (an attestation principal or user@host). */
  initiator: z.string().min(1),
  /** manual: `npm run rollback`; promotion: a promotion's failed verification or canary rolled back. */
  trigger: z.enum(["manual", "promotion"]),
  /** A PROD rollback without its approvals, on a recorded reason (reported as a deviation). */
  emergency: z.boolean(),
  /** What `--target` asked for: previous, a version number or a semver. */
  requested: z.string().min(1),
  /** When the rollback started (lock taken) and when every alias had moved. */
  startedAt: IsoTime,
  rolledBackAt: IsoTime,
  functions: z.array(RollbackFunctionSchema).min(1),
  /** The access service's deployed-version parameter as restored, or null (tenant service). */
  ssm: z.object({ parameter: z.string().min(1), value: z.string().min(1) }).nullable(),
});
export type RollbackRecord = z.infer<typeof RollbackRecordSchema>;

/** The partition key of a service's rollback records. */
export function rollbackPartition(service: string): string {
  return `ROLLBACK#${service}`;
}

/**
 * The newest rollback record of `service` in `table`, or null when there is none; `{ problem }` when the newest
 * item is not a valid record (it is reported, never skipped for an older one).
 */
export async function readLatestRollback(
  aws: Pick<AwsClients, "dynamodbDoc">,
  table: string,
  service: string,
): Promise<{ record: RollbackRecord } | { problem: string } | null> {
  const result = await aws.dynamodbDoc.send(
    new (sdk.dynamodbDoc().QueryCommand)({
      TableName: table,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": rollbackPartition(service) },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = result.Items?.[0];
  if (!item) return null;
  const parsed = RollbackRecordSchema.safeParse(item);
  return parsed.success
    ? { record: parsed.data }
    : {
        problem: `the newest rollback record in ${table} (${String(item.SK)}) is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      };
}
