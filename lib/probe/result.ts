/**
 * The scheduled health probe's result, as plain data: one finding per check, the outcome and exit code they
 * give, the CloudWatch datapoints that publish them, and the one JSON line a run appends to its log. Pure, so
 * the probe's decisions are unit-tested without AWS.
 */
import type { Finding } from "../checks/finding.ts";
import { EXIT_CODES, type ExitCode, type Guard, type Outcome } from "../verdict/schema.ts";

/** The checks a probe runs, in order; each is one CloudWatch `Check` dimension. */
export const probeChecks = [
  "health-invoke",
  "api-health",
  "code-unchanged",
  "authenticated-read",
  "alarms-quiet",
] as const;
export type ProbeCheck = (typeof probeChecks)[number];

/** The CloudWatch namespace the probe publishes to (README: "Scheduled health probe"). */
export const PROBE_NAMESPACE = "BBWS/HarnessProbe";

export interface ProbeCheckResult {
  readonly check: ProbeCheck;
  readonly finding: Finding;
  readonly durationMs: number;
}

export interface ProbeResult {
  readonly environment: string;
  readonly service: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly guard: Guard;
  readonly checks: readonly ProbeCheckResult[];
  readonly outcome: Outcome;
  readonly exitCode: ExitCode;
  readonly reasons: readonly string[];
}

/** The probe's outcome: the guard first (wrong account is a configuration error), then the worst check. */
export function probeOutcome(
  guard: Guard,
  checks: readonly ProbeCheckResult[],
): { outcome: Outcome; reasons: string[] } {
  if (guard.status === "failed") {
    const reason = `account guard failed (${guard.kind ?? "error"}): ${guard.message ?? "no message"}`;
    if (guard.kind === "account-mismatch" || guard.kind === "credentials")
      return { outcome: "error", reasons: [reason] };
    if (guard.kind === "target-missing") return { outcome: "failed", reasons: [reason] };
    return { outcome: "inconclusive", reasons: [reason] };
  }
  if (checks.length === 0) return { outcome: "inconclusive", reasons: ["no check ran"] };
  const failed = checks.filter((c) => c.finding.status === "failed");
  if (failed.length > 0)
    return { outcome: "failed", reasons: failed.map((c) => `${c.check}: ${c.finding.reason}`) };
  const unknown = checks.filter((c) => c.finding.status === "inconclusive");
  if (unknown.length > 0)
    return { outcome: "inconclusive", reasons: unknown.map((c) => `${c.check}: ${c.finding.reason}`) };
  return { outcome: "passed", reasons: [`${checks.length} checks passed`] };
}

/** Builds the result of one probe run from its guard and checks. */
export function probeResult(input: {
  environment: string;
  service: string;
  startedAt: Date;
  durationMs: number;
  guard: Guard;
  checks: readonly ProbeCheckResult[];
}): ProbeResult {
  const { outcome, reasons } = probeOutcome(input.guard, input.checks);
  return {
    environment: input.environment,
    service: input.service,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    guard: input.guard,
    checks: input.checks,
    outcome,
    exitCode: EXIT_CODES[outcome],
    reasons,
  };
}

/** One CloudWatch datapoint as PutMetricData takes it. */
export interface ProbeDatum {
  MetricName: "SuccessPercent" | "Failed" | "Duration";
  Dimensions: { Name: string; Value: string }[];
  Value: number;
  Unit: "Percent" | "Count" | "Milliseconds";
  Timestamp: Date;
  /** 1 (high resolution) when the watchdog's period is under a minute, which CloudWatch needs to evaluate it. */
  StorageResolution: 1 | 60;
}

/**
 * The datapoints of a probe run: per check and for the whole probe, SuccessPercent (100 or 0), Failed (1 when
 * not passed: an inconclusive probe pages too, no data is not a pass) and Duration, dimensioned by
 * Environment, Service and Check (`all` for the whole probe).
 */
export function probeMetricData(result: ProbeResult, at: Date, alarmPeriodSeconds = 300): ProbeDatum[] {
  const StorageResolution = alarmPeriodSeconds < 60 ? (1 as const) : (60 as const);
  const rows: { check: string; ok: boolean; durationMs: number }[] = [
    { check: "all", ok: result.outcome === "passed", durationMs: result.durationMs },
    ...result.checks.map((c) => ({
      check: c.check,
      ok: c.finding.status === "passed",
      durationMs: c.durationMs,
    })),
  ];
  return rows.flatMap(({ check, ok, durationMs }) => {
    const Dimensions = [
      { Name: "Environment", Value: result.environment },
      { Name: "Service", Value: result.service },
      { Name: "Check", Value: check },
    ];
    return [
      {
        MetricName: "SuccessPercent" as const,
        Dimensions,
        Value: ok ? 100 : 0,
        Unit: "Percent" as const,
        Timestamp: at,
        StorageResolution,
      },
      {
        MetricName: "Failed" as const,
        Dimensions,
        Value: ok ? 0 : 1,
        Unit: "Count" as const,
        Timestamp: at,
        StorageResolution,
      },
      {
        MetricName: "Duration" as const,
        Dimensions,
        Value: Math.round(durationMs),
        Unit: "Milliseconds" as const,
        Timestamp: at,
        StorageResolution,
      },
    ];
  });
}

/** The probe's JSON line: the result without evidence, one line, for a log a scheduler appends to. */
export function probeJsonLine(result: ProbeResult): string {
  return JSON.stringify({
    ...result,
    checks: result.checks.map((c) => ({
      check: c.check,
      status: c.finding.status,
      reason: c.finding.reason,
      durationMs: Math.round(c.durationMs),
    })),
  });
}

/** The name of the probe's own watchdog alarm: outside the service's alarm prefix, so the probe never judges it. */
export function watchdogAlarmName(environment: string, service: string): string {
  return `bbws-harness-probe-${environment}-${service}`;
}

/**
 * The watchdog alarm on the probe's own metric: ALARM when the whole probe reports Failed >= 1, and, because
 * missing data is breaching, when no probe reported at all for a period: a probe that stops running pages.
 */
export function watchdogAlarm(environment: string, service: string, periodSeconds: number) {
  return {
    AlarmName: watchdogAlarmName(environment, service),
    AlarmDescription:
      "The harness's scheduled health probe failed, or did not report within its period (missing data is breaching).",
    Namespace: PROBE_NAMESPACE,
    MetricName: "Failed",
    Dimensions: [
      { Name: "Environment", Value: environment },
      { Name: "Service", Value: service },
      { Name: "Check", Value: "all" },
    ],
    Statistic: "Maximum" as const,
    Period: periodSeconds,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold" as const,
    TreatMissingData: "breaching" as const,
  };
}
