import { z } from "zod";

/** Environment ids the runbooks know. Order is promotion order. */
export const environmentIds = ["dev", "sit", "prod"] as const;
export const EnvironmentIdSchema = z.enum(environmentIds);
export type EnvironmentId = z.infer<typeof EnvironmentIdSchema>;

export const serviceIds = ["tenant-instance-management", "access-management"] as const;
export const ServiceIdSchema = z.enum(serviceIds);
export type ServiceId = z.infer<typeof ServiceIdSchema>;

const AccountIdSchema = z
  .string()
  .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
  .describe("12-digit AWS account id");
const RegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1")
  .describe("AWS region, e.g. eu-west-1");
/** An http(s) URL, or the literal "TBD" the runbook uses for URLs nobody has filled in yet. */
const URL_OR_TBD = 'must be an http(s) URL or "TBD"';
const UrlOrTbdSchema = z
  .union(
    [
      z.literal("TBD"),
      // The message is on the branch too: for a string input zod reports the URL branch's issue, not the union's.
      z.url({ protocol: /^https?$/, error: URL_OR_TBD }),
    ],
    { error: URL_OR_TBD },
  )
  .describe('http(s) URL, or "TBD"');
const PositiveIntSchema = z.number().int("must be a whole number").positive("must be greater than 0");

/** Where a secret comes from. Secrets never live in config files, only a pointer to them. */
export const SecretSourceSchema = z.object({
  fromEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name")
    .describe("name of the environment variable holding the secret"),
});
export type SecretSource = z.infer<typeof SecretSourceSchema>;

/** Read-only health invokes a minute the post-deploy window sends while the function is quiet, when unset. One
 * every 2 s: negligible load on any estate, and 30 samples a 1-minute period (one error is 3.3%, under the 10%
 * error-rate trigger, while the error-count items still catch it). */
export const DEFAULT_SYNTHETIC_PER_MINUTE = 30;

export const MonitoringWindowSchema = z.object({
  intervalSeconds: z.number().positive("must be greater than 0").describe("seconds between samples"),
  windowSeconds: z.number().positive("must be greater than 0").describe("length of the window in seconds"),
  /** Optional so an override file that sets the window alone keeps the default rate. */
  syntheticPerMinute: z
    .number()
    .int("must be a whole number")
    .nonnegative("must be 0 (off) or more")
    .optional()
    .describe(
      `health invokes a minute while the function is quiet; 0 = off, unset = ${DEFAULT_SYNTHETIC_PER_MINUTE}`,
    ),
});

/** How a promotion into an environment shares traffic before it moves the alias (access runbook 4.3 step 4). */
export const CanarySchema = z.object({
  weightPercent: z
    .number()
    .min(0, "must be 0 (no canary) or more")
    .max(50, "must be at most 50: a canary is the smaller share")
    .describe("percent of traffic routed to the new version during the canary; 0 = the alias moves at once"),
  windowSeconds: z.number().positive("must be greater than 0").describe("length of the canary in seconds"),
  intervalSeconds: z.number().positive("must be greater than 0").describe("seconds between metric polls"),
  healthIntervalSeconds: z
    .number()
    .positive("must be greater than 0")
    .describe("seconds between health invokes of the new version"),
  syntheticPerMinute: z
    .number()
    .int("must be a whole number")
    .nonnegative("must be 0 (off) or more")
    .describe("health invokes a minute through the alias while the function is quiet; 0 = off"),
});

/**
 * UTC windows as one overridable string: comma-separated `HH:MM-HH:MM` ranges (an end before the start wraps
 * past midnight), e.g. "22:00-23:00" or "22:00-23:00,02:00-03:00"; "" means no window. lib/checks parses it.
 */
export const MaintenanceWindowsSchema = z
  .string()
  .regex(
    /^$|^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d(,([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d)*$/,
    'must be comma-separated UTC ranges such as "22:00-23:00", or "" for none',
  )
  .describe('UTC windows "HH:MM-HH:MM[,...]"; "" none');

export const EnvironmentSchema = z
  .object({
    id: EnvironmentIdSchema,
    displayName: z.string().min(1, "must not be empty").describe("name shown in reports"),
    accountId: AccountIdSchema,
    region: RegionSchema,
    /** Named AWS profile for this environment (standard credential chain); unset = default chain. */
    awsProfile: z
      .string()
      .min(1, "must not be empty")
      .optional()
      .describe("named AWS profile; unset = default credential chain"),
    /** Environment this one is promoted from (DEV for SIT, SIT for PROD). */
    promotedFrom: EnvironmentIdSchema.nullable(),
    apiUrl: UrlOrTbdSchema,
    cloudFrontUrl: UrlOrTbdSchema.nullable(),
    apiGatewayId: z
      .string()
      .regex(/^[a-z0-9]{10}$/, "must be a 10-character API Gateway id such as o158f3j653")
      .nullable()
      .describe("API Gateway REST API id"),
    githubActionsRoleArn: z
      .string()
      .regex(/^arn:aws:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")
      .describe("IAM role ARN"),
    autoDeploy: z.boolean().describe("deploys on push without a person"),
    /** Number of approvers a promotion into this environment needs. */
    approvalsRequired: z
      .number()
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .describe("approvers a promotion into this environment needs"),
    policy: z.object({
      /** PROD: the harness refuses any mutating request before it is sent. */
      readOnly: z.boolean().describe("refuse mutating requests"),
      maintenanceWindowRequired: z.boolean().describe("promotion needs an approved maintenance window"),
      /** Whether a check that passed only on a retry (flaky) may pass this environment's gate. */
      acceptFlaky: z.boolean().describe("a check that passed only on retry may pass the gate"),
      /** How old this environment's verdicts may be for a promotion or gate to trust them. */
      verdictMaxAgeSeconds: z
        .number()
        .int("must be a whole number")
        .positive("must be greater than 0")
        .describe("seconds a verdict of this environment stays fresh for a gate"),
      /** When a promotion into this environment may run (UTC); empty when any time will do. */
      maintenanceWindows: MaintenanceWindowsSchema,
    }),
    /** Post-deploy monitoring window (runbook: SIT 30 s, PROD 5 min). */
    monitoring: MonitoringWindowSchema,
    /** The rollback verification's recovery window (the harness's choice: the runbooks name none). */
    rollback: z.object({
      recoveryWindowSeconds: z
        .number()
        .positive("must be greater than 0")
        .describe("seconds after a rollback over which its error rate must be back under the trigger"),
      intervalSeconds: z.number().positive("must be greater than 0").describe("seconds between metric polls"),
    }),
    /** The canary of a promotion into this environment, for services whose runbook has one (Service.canary). */
    canary: CanarySchema,
    cognito: z.object({
      userPoolName: z.string().min(1, "must not be empty").describe("Cognito user pool name"),
      /** Filled per deployment (override file / env var); the runbook does not name them. */
      userPoolId: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d_[0-9A-Za-z]+$/, "must be a user pool id such as eu-west-1_AbC123")
        .nullable()
        .describe("Cognito user pool id, e.g. eu-west-1_AbC123"),
      clientId: z.string().min(1, "must not be empty").nullable().describe("Cognito app client id"),
      username: SecretSourceSchema,
      password: SecretSourceSchema,
    }),
    http: z.object({
      timeoutMs: PositiveIntSchema.describe("per-request timeout in milliseconds"),
      /** Extra time a request may take over its latency budget before it is a failure. */
      latencyBudgetMs: PositiveIntSchema.describe("latency budget of one smoke request in milliseconds"),
    }),
  })
  .superRefine((env, ctx) => {
    // Principle 4: nothing (file, variable, typo) may turn PROD writable.
    if (env.id === "prod" && !env.policy.readOnly) {
      ctx.addIssue({
        code: "custom",
        path: ["policy", "readOnly"],
        message: "PROD is read-only by runbook policy and cannot be made writable",
      });
    }
  });
export type Environment = z.infer<typeof EnvironmentSchema>;

export const ServiceSchema = z.object({
  id: ServiceIdSchema,
  displayName: z.string(),
  /** Function names with `{env}` placeholders. */
  functions: z.array(z.string().includes("{env}")).min(1),
  aliasTemplate: z.string().includes("{env}"),
  backupAliasPrefix: z.string(),
  versioning: z.enum(["lambda-numeric", "semver"]),
  /** Whether its runbook promotes through a canary (the environment's `canary`); false: the alias moves at once. */
  canary: z.boolean(),
  alarmPrefixTemplate: z.string().includes("{env}"),
  logGroupTemplate: z.string().includes("{function}"),
  tables: z.array(z.string().includes("{env}")),
  deploymentsTable: z.string().includes("{env}").nullable(),
  ssmDeployedVersionParameter: z.string().includes("{env}").nullable(),
  healthPayload: z.object({
    httpMethod: z.literal("GET"),
    path: z.string(),
    headers: z.record(z.string(), z.string()),
  }),
});
export type Service = z.infer<typeof ServiceSchema>;

export const ItemKindSchema = z.enum(["automated", "attested"]);
export type ItemKind = z.infer<typeof ItemKindSchema>;

/** Roles that sign attested items. `service-ci` means: evidence from the service's own CI run. */
export const attesterRoles = [
  "service-ci",
  "code-reviewer",
  "security-reviewer",
  "qa-lead",
  "release-manager",
  "devops-engineer",
  "on-call-engineer",
  "change-board",
  "prod-approver",
] as const;
export const AttesterRoleSchema = z.enum(attesterRoles);
export type AttesterRole = z.infer<typeof AttesterRoleSchema>;

/**
 * Metrics thresholds compare. One name per measurable quantity, so that the metric evaluator and the
 * runbooks agree on what "lambda.errors" means (AWS/Lambda Errors, Sum over the window).
 */
export const metricNames = [
  "lambda.errors", // AWS/Lambda Errors, Sum
  "lambda.throttles", // AWS/Lambda Throttles, Sum
  "lambda.invocations", // AWS/Lambda Invocations, Sum
  "lambda.error-rate", // 100 * Errors / Invocations, percent
  "lambda.duration.max", // AWS/Lambda Duration, Maximum, ms
  "lambda.duration.p95", // AWS/Lambda Duration, p95, ms (or a multiple of a baseline p95)
  "lambda.duration.p99", // AWS/Lambda Duration, p99, ms
  "api.5xx", // responses with a 5xx status, count
  "logs.error-events", // log events matching the "ERROR" filter pattern, count
  "alarms.in-alarm", // alarms under the service's prefix in state ALARM, count
  "deployment.age", // seconds since the alias's current version was deployed
  "canary.traffic-weight", // percent of traffic routed to the new version
  "rollback.duration", // seconds from the rollback decision to the previous version serving
  "coverage", // line coverage of the service's unit tests, percent
] as const;
export const MetricNameSchema = z.enum(metricNames);
export type MetricName = z.infer<typeof MetricNameSchema>;

/** A numeric threshold a check compares against. */
export const ThresholdSchema = z.object({
  metric: MetricNameSchema,
  comparison: z.enum(["<", "<=", ">", ">=", "=="]),
  value: z.number(),
  unit: z.string(),
  /** Look-back window in seconds (1 h = 3600, 24 h = 86400). */
  windowSeconds: z.number().positive().optional(),
  /** Consecutive seconds the condition must hold (e.g. error rate > 5% for 2 min). */
  forSeconds: z.number().positive().optional(),
  /** Whether zero datapoints in the window counts as meeting the threshold (principle 9). */
  zeroTrafficOk: z.boolean().default(false),
  /**
   * `requirement`: the check passes while the comparison holds (errors < 10).
   * `trigger`: the comparison holding is the bad case that starts a rollback or an alert (error rate > 5%).
   */
  sense: z.enum(["requirement", "trigger"]).default("requirement"),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

/**
 * Report files of the service's own CI that prove an item (lib/checks/ci-evidence.ts reads them): JUnit XML of
 * the unit, integration, lint, type-check and final SIT runs, a coverage summary, a SARIF security scan.
 */
export const ciEvidenceKinds = [
  "unit-tests",
  "integration-tests",
  "lint",
  "type-check",
  "coverage",
  "security",
  "sit-final-tests",
] as const;
export const CiEvidenceKindSchema = z.enum(ciEvidenceKinds);
export type CiEvidenceKind = z.infer<typeof CiEvidenceKindSchema>;

export const suiteIds = ["smoke", "post-deploy", "pre-promotion", "rollback", "none"] as const;
export const SuiteIdSchema = z.enum(suiteIds);
export type SuiteId = z.infer<typeof SuiteIdSchema>;

export const RunbookItemSchema = z
  .object({
    /** Stable id `<runbook>/<section>/<slug>`, e.g. `tenant-deploy/7.1/sit-running-24h`. */
    id: z.string().regex(/^[a-z0-9-]+\/[0-9.]+\/[a-z0-9-]+$/, "must look like runbook/section/slug"),
    title: z.string().min(1),
    kind: ItemKindSchema,
    /** Environments (target of the step) the item applies to. */
    environments: z.array(EnvironmentIdSchema).min(1),
    thresholds: z.array(ThresholdSchema).default([]),
    /** Who attests an attested item (role), e.g. "release-manager". */
    attestedBy: AttesterRoleSchema.optional(),
    notes: z.string().optional(),
    /**
     * The suite that verifies this item when it is not its section's (PROD verification 7.4 is run by the
     * smoke suite, but its alias and CloudFront checks are the post-deploy suite's). A run of a suite must
     * cover every automated item whose suite it is, so this must name where the test really is.
     */
    suite: SuiteIdSchema.optional(),
    /** The service CI's report files that prove this automated item (read from --ci-evidence <dir>). */
    ciEvidence: z.array(CiEvidenceKindSchema).min(1).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.kind === "attested" && item.ciEvidence !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["ciEvidence"],
        message: "CI evidence proves an automated item; an attested item is signed by a person",
      });
    }
    if (item.kind === "attested" && item.attestedBy === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["attestedBy"],
        message: "an attested item must name who attests it",
      });
    }
    if (item.kind === "automated" && item.attestedBy !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["attestedBy"],
        message: "an automated item is verified by a test",
      });
    }
  });
export type RunbookItem = z.infer<typeof RunbookItemSchema>;

export const RunbookSectionSchema = z
  .object({
    /** Section number in the source runbook; sub-steps of a numbered list get a third level (6.3.1). */
    number: z.string().regex(/^\d+(\.\d+)*$/, "must be a section number such as 6.3 or 6.3.1"),
    title: z.string().min(1),
    /** Which suite verifies this section's automated items. */
    suite: SuiteIdSchema,
    notes: z.string().optional(),
    items: z.array(RunbookItemSchema).min(1, "a section needs at least one item"),
  })
  .superRefine((section, ctx) => {
    if (section.suite !== "none") return;
    section.items.forEach((item, index) => {
      if (item.kind === "automated") {
        ctx.addIssue({
          code: "custom",
          path: ["items", index, "kind"],
          message: `automated item ${item.id} sits in a section no suite verifies (suite "none")`,
        });
      }
    });
  });
export type RunbookSection = z.infer<typeof RunbookSectionSchema>;

export const RunbookSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string(),
    service: ServiceIdSchema,
    source: z.string(),
    sections: z.array(RunbookSectionSchema).min(1),
  })
  .superRefine((runbook, ctx) => {
    const seen = new Set<string>();
    runbook.sections.forEach((section, s) => {
      section.items.forEach((item, i) => {
        const prefix = `${runbook.id}/${section.number}/`;
        if (!item.id.startsWith(prefix)) {
          ctx.addIssue({
            code: "custom",
            path: ["sections", s, "items", i, "id"],
            message: `must start with ${prefix} (runbook id and section number)`,
          });
        }
        if (seen.has(item.id)) {
          ctx.addIssue({
            code: "custom",
            path: ["sections", s, "items", i, "id"],
            message: "duplicate item id",
          });
        }
        seen.add(item.id);
      });
    });
  });
export type Runbook = z.infer<typeof RunbookSchema>;
/** What a runbook module writes: defaults (thresholds, zeroTrafficOk, sense) may be left out. */
export type RunbookInput = z.input<typeof RunbookSchema>;
