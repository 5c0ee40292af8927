/**
 * The checks of every suite, as plain TypeScript: readers (AWS and HTTP calls returning plain data) and judges
 * (pure functions from data and thresholds to a Finding: passed, failed or inconclusive, with a reason that
 * says what, why and what to do). Suites reach them through fixtures/; the probe and the promotion scripts
 * call the same judges.
 */
export * from "./alarms.ts";
export * from "./api.ts";
export * from "./attestations.ts";
export * from "./canary-record.ts";
export * from "./ci-evidence.ts";
export * from "./ci-gate.ts";
export * from "./deployed.ts";
export * from "./dynamodb.ts";
export * from "./errors.ts";
export * from "./expected.ts";
export * from "./finding.ts";
export * from "./gate.ts";
export * from "./health.ts";
export * from "./infrastructure.ts";
export * from "./items.ts";
export * from "./lambda.ts";
export * from "./logs.ts";
export * from "./maintenance.ts";
export * from "./manual-triggers.ts";
export * from "./metrics.ts";
export * from "./names.ts";
export * from "./records.ts";
export * from "./recovery-handover.ts";
export * from "./rollback.ts";
export * from "./rollback-record.ts";
export * from "./source.ts";
export * from "./ssm.ts";
export * from "./verdicts.ts";
export * from "./window.ts";
export * from "./window-judge.ts";
