import { z } from "zod";
import { EnvironmentIdSchema, ServiceIdSchema } from "../../runbooks/schema.ts";

/** Suites a verdict can be about, in runbook order. */
export const verdictSuites = ["smoke", "post-deploy", "pre-promotion", "rollback"] as const;
export const VerdictSuiteSchema = z.enum(verdictSuites);
export type VerdictSuite = z.infer<typeof VerdictSuiteSchema>;

/**
 * A test's result as the verdict sees it. `flaky` passed only on a retry; `skipped-by-policy` was not run
 * because the environment's policy forbids it (PROD is read-only); `not-applicable` has nothing to check for
 * this service and environment. None of the three is a pass.
 */
export const testStatuses = [
  "passed",
  "failed",
  "flaky",
  "skipped-by-policy",
  "not-applicable",
  "inconclusive",
] as const;
export const TestStatusSchema = z.enum(testStatuses);
export type TestStatus = z.infer<typeof TestStatusSchema>;

/** A runbook item's result: test statuses plus the two attestation outcomes. */
export const itemStatuses = [...testStatuses, "attested", "missing-attestation"] as const;
export const ItemStatusSchema = z.enum(itemStatuses);
export type ItemStatus = z.infer<typeof ItemStatusSchema>;

/**
 * What a run decided. `error`: a usage or configuration problem (wrong account, bad credentials, specs that
 * do not load) kept any check from running; `interrupted`: the run was stopped (Ctrl-C, SIGTERM).
 */
export const outcomes = ["passed", "failed", "error", "inconclusive", "interrupted"] as const;
export const OutcomeSchema = z.enum(outcomes);
export type Outcome = z.infer<typeof OutcomeSchema>;

/**
 * The one exit code of each outcome (README's table): 0 passed; 1 a check failed; 2 usage or configuration
 * error; 3 unreachable or no data; 130 interrupted (the shell's code for SIGINT).
 */
export const EXIT_CODES = { passed: 0, failed: 1, error: 2, inconclusive: 3, interrupted: 130 } as const;
export const ExitCodeSchema = z.union([
  z.literal(0),
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(130),
]);
export type ExitCode = z.infer<typeof ExitCodeSchema>;

/** What part of its suite a run covered. A partial verdict never gates a promotion. */
export const ScopeSchema = z.object({
  /** True when every automated item of the suite that applies here was covered by a test of this run. */
  complete: z.boolean(),
  /** How the user narrowed the run on purpose (`--grep @probe`, `--item tenant-deploy/8`); empty when not. */
  narrowedBy: z.array(z.string()),
  /** The shard of a sharded run before its merge, e.g. "1/2"; null otherwise. */
  shard: z.string().nullable(),
});
export type Scope = z.infer<typeof ScopeSchema>;

export const VerdictTestSchema = z.object({
  title: z.string(),
  file: z.string(),
  project: z.string(),
  status: TestStatusSchema,
  durationMs: z.number().nonnegative(),
  /** Why the test is not a plain pass (skip reason, inconclusive reason, first error line). */
  reason: z.string().optional(),
});
export type VerdictTest = z.infer<typeof VerdictTestSchema>;

export const AttestationRefSchema = z.object({
  file: z.string(),
  by: z.string(),
  role: z.string(),
  at: z.string(),
  reference: z.string(),
});
export type AttestationRef = z.infer<typeof AttestationRefSchema>;

export const VerdictItemSchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  kind: z.enum(["automated", "attested"]),
  status: ItemStatusSchema,
  tests: z.array(VerdictTestSchema),
  /** Paths relative to the run folder. */
  evidence: z.array(z.string()),
  reason: z.string().optional(),
  attestation: AttestationRefSchema.optional(),
  /** Every accepted approval of an item that needs several (PROD: two distinct approvers). */
  approvals: z.array(AttestationRefSchema).optional(),
});
export type VerdictItem = z.infer<typeof VerdictItemSchema>;

/** One Lambda function of the service, as its alias resolved when the run started. */
export const FunctionUnderTestSchema = z.object({
  functionName: z.string(),
  alias: z.string(),
  functionVersion: z.string(),
  /** The version's Description, which the deployment sets to the app version. */
  appVersion: z.string(),
  codeSha256: z.string(),
});
export type FunctionUnderTest = z.infer<typeof FunctionUnderTestSchema>;

export const guardKinds = [
  "account-mismatch",
  "credentials",
  "unreachable",
  "target-missing",
  "error",
] as const;
export const GuardKindSchema = z.enum(guardKinds);
export type GuardKind = z.infer<typeof GuardKindSchema>;

export const GuardSchema = z.object({
  status: z.enum(["passed", "failed", "not-run"]),
  kind: GuardKindSchema.optional(),
  message: z.string().optional(),
  expectedAccountId: z.string().optional(),
  actualAccountId: z.string().optional(),
});
export type Guard = z.infer<typeof GuardSchema>;

/** Tests by status, so a summary never hides skipped or flaky tests behind the item counts. */
export const TestCountsSchema = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  flaky: z.number().int(),
  skippedByPolicy: z.number().int(),
  notApplicable: z.number().int(),
  inconclusive: z.number().int(),
});
export type TestCounts = z.infer<typeof TestCountsSchema>;

export const CountsSchema = z.object({
  items: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  flaky: z.number().int(),
  skippedByPolicy: z.number().int(),
  notApplicable: z.number().int(),
  inconclusive: z.number().int(),
  attested: z.number().int(),
  missingAttestation: z.number().int(),
  tests: z.number().int(),
  testsByStatus: TestCountsSchema,
});
export type Counts = z.infer<typeof CountsSchema>;

/** What a gate run decided, bound to the bits it ran against. Written as `verdict.json` in the run folder. */
export const VerdictFieldsSchema = z.object({
  schemaVersion: z.literal(2),
  service: ServiceIdSchema,
  environment: EnvironmentIdSchema,
  suite: VerdictSuiteSchema,
  /** Human-readable target: the sandbox or the AWS account/profile. */
  target: z.string(),
  /** The primary function's alias resolution; null when the guard could not read it. */
  version: z.object({ alias: z.string(), functionVersion: z.string(), appVersion: z.string() }).nullable(),
  /** The primary function's CodeSha256, or a combined digest for a multi-function service (see combinedCodeSha256). */
  codeSha256: z.string().nullable(),
  functions: z.array(FunctionUnderTestSchema),
  runId: z.string(),
  harnessCommit: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  guard: GuardSchema,
  items: z.array(VerdictItemSchema),
  /** Tests that name no runbook item; their failures still fail the run. */
  untracedTests: z.array(VerdictTestSchema),
  /** Automated items of the suite's sections that no test in this run verified (e.g. filtered out by --grep). */
  notCovered: z.array(z.string()),
  scope: ScopeSchema,
  counts: CountsSchema,
  outcome: OutcomeSchema,
  exitCode: ExitCodeSchema,
  /** Why the outcome is what it is, one line each. */
  reasons: z.array(z.string()),
  /** SHA-256 over the run folder's report files (see computeReportSha256); null until the reporters finished. */
  reportSha256: z.string().nullable(),
});

/** A verdict file: the fields, plus the rule that the exit code is always the outcome's. */
export const VerdictSchema = VerdictFieldsSchema.refine(
  (verdict) => verdict.exitCode === EXIT_CODES[verdict.outcome],
  {
    message:
      "exitCode must be the outcome's code (passed 0, failed 1, error 2, inconclusive 3, interrupted 130)",
    path: ["exitCode"],
  },
);
export type Verdict = z.infer<typeof VerdictSchema>;
