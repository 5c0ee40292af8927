/**
 * What each suite checks, in a sentence a reader of the README can act on. The sections each suite verifies
 * are not written here: they come from the items' `suite` (lib/traceability suiteTableMarkdown).
 */
import type { SuiteId } from "./schema.ts";

export const suitePurposes: Readonly<Record<Exclude<SuiteId, "none">, string>> = {
  smoke:
    "all 27 endpoints (26 routes + `/health`): status, response schema, behaviour, 401 without a token, 404 for unknown ids; PROD runs the read-only subset; the account guard",
  "post-deploy":
    "alias on the expected version, CodeSha256 equal to the source environment's, backup alias, direct health invoke, CloudWatch metrics and the monitoring window (SIT 30 s, PROD 5 min) with the rollback triggers (tenant 9.2's manual ones also as a table of measured peaks against their thresholds), alarms, `ERROR` logs, DynamoDB, the deployment record",
  "pre-promotion":
    "the source environment's health and verdicts, the maintenance window and the approvals before bits move",
  rollback:
    "the newest rollback record (`npm run rollback`) against the environment: its reason, initiator and versions, every alias on the target version with no split and its backup alias, the CodeSha256 of its deployment record, the health invoke, SSM deployed-version (access), the error rate over the recovery window (`rollback.recoveryWindowSeconds`), the rollback's duration",
};
