import { z } from "zod";

/** Environment ids the runbooks know. Order is promotion order. */
export const environmentIds = ["dev", "sit", "prod"] as const;
export const EnvironmentIdSchema = z.enum(environmentIds);
export type EnvironmentId = z.infer<typeof EnvironmentIdSchema>;

export const serviceIds = ["tenant-instance-management", "access-management"] as const;
export const ServiceIdSchema = z.enum(serviceIds);
export type ServiceId = z.infer<typeof ServiceIdSchema>;

const AccountIdSchema = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const RegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1");
/** An http(s) URL, or the literal "TBD" the runbook uses for URLs nobody has filled in yet. */
const UrlOrTbdSchema = z.union([z.literal("TBD"), z.url({ protocol: /^https?$/ })]);

/** Where a secret comes from. Secrets never live in config files, only a pointer to them. */
export const SecretSourceSchema = z.object({
  fromEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name"),
});
export type SecretSource = z.infer<typeof SecretSourceSchema>;

export const MonitoringWindowSchema = z.object({
  intervalSeconds: z.number().positive(),
  windowSeconds: z.number().positive(),
});

export const EnvironmentSchema = z.object({
  id: EnvironmentIdSchema,
  displayName: z.string(),
  accountId: AccountIdSchema,
  region: RegionSchema,
  /** Named AWS profile for this environment (standard credential chain); unset = default chain. */
  awsProfile: z.string().min(1).optional(),
  /** Environment this one is promoted from (DEV for SIT, SIT for PROD). */
  promotedFrom: EnvironmentIdSchema.nullable(),
  apiUrl: UrlOrTbdSchema,
  cloudFrontUrl: UrlOrTbdSchema.nullable(),
  apiGatewayId: z.string().nullable(),
  githubActionsRoleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/.+$/, "must be an IAM role ARN"),
  autoDeploy: z.boolean(),
  /** Number of approvers a promotion into this environment needs. */
  approvalsRequired: z.number().int().min(0),
  policy: z.object({
    /** PROD: the harness refuses any mutating request before it is sent. */
    readOnly: z.boolean(),
    maintenanceWindowRequired: z.boolean(),
  }),
  /** Post-deploy monitoring window (runbook: SIT 30 s, PROD 5 min). */
  monitoring: MonitoringWindowSchema,
  cognito: z.object({
    userPoolName: z.string(),
    /** Filled per deployment (override file / env var); the runbook does not name them. */
    userPoolId: z.string().nullable(),
    clientId: z.string().nullable(),
    username: SecretSourceSchema,
    password: SecretSourceSchema,
  }),
  http: z.object({
    timeoutMs: z.number().int().positive(),
    /** Extra time a request may take over its latency budget before it is a failure. */
    latencyBudgetMs: z.number().int().positive(),
  }),
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

/** A numeric threshold a check compares against. */
export const ThresholdSchema = z.object({
  metric: z.string(),
  comparison: z.enum(["<", "<=", ">", ">=", "=="]),
  value: z.number(),
  unit: z.string(),
  /** Look-back window in seconds (1 h = 3600, 24 h = 86400). */
  windowSeconds: z.number().positive().optional(),
  /** Consecutive seconds the condition must hold (e.g. error rate > 5% for 2 min). */
  forSeconds: z.number().positive().optional(),
  /** Whether zero datapoints in the window counts as meeting the threshold (principle 9). */
  zeroTrafficOk: z.boolean().default(false),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

export const RunbookItemSchema = z.object({
  /** Stable id `<runbook>/<section>/<slug>`, e.g. `tenant-deploy/7.1/sit-running-24h`. */
  id: z.string().regex(/^[a-z0-9-]+\/[0-9.]+\/[a-z0-9-]+$/, "must look like runbook/section/slug"),
  title: z.string(),
  kind: ItemKindSchema,
  /** Environments (target of the step) the item applies to. */
  environments: z.array(EnvironmentIdSchema).min(1),
  thresholds: z.array(ThresholdSchema).default([]),
  /** Who attests an attested item (role), e.g. "release-manager". */
  attestedBy: z.string().optional(),
  notes: z.string().optional(),
});
export type RunbookItem = z.infer<typeof RunbookItemSchema>;

export const RunbookSectionSchema = z.object({
  number: z.string(),
  title: z.string(),
  /** Which suite verifies this section's automated items. */
  suite: z.enum(["smoke", "post-deploy", "pre-promotion", "rollback", "none"]),
  items: z.array(RunbookItemSchema),
});

export const RunbookSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  service: ServiceIdSchema,
  source: z.string(),
  sections: z.array(RunbookSectionSchema).min(1),
});
export type Runbook = z.infer<typeof RunbookSchema>;
