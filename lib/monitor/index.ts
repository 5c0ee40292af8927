export { type CloudWatchPollOptions, cloudWatchPoll } from "./cloudwatch-poll.ts";
export {
  createMonitor,
  evaluateRule,
  type MonitorState,
  measureLabel,
  observe,
  periodValues,
  replay,
} from "./core.ts";
export { type MonitorRun, type RunMonitorOptions, runMonitor } from "./driver.ts";
export { MonitorAbortedError, MonitorConfigError } from "./errors.ts";
export { monitorProgressLine } from "./progress.ts";
export {
  countOutcome,
  describeWindowTraffic,
  isQuiet,
  NO_SYNTHETIC,
  observedInvocations,
  organicInvocations,
  type SyntheticCounts,
  type SyntheticMode,
  type SyntheticOutcome,
  type WindowTraffic,
  windowTraffic,
} from "./quiet.ts";
export {
  fileLedger,
  memoryLedger,
  type QuietTrafficOptions,
  type QuietTrafficReport,
  quietTraffic,
  type SyntheticLedger,
} from "./quiet-traffic.ts";
export {
  durationStatsOf,
  monitorRulesFromItems,
  type RuleInputs,
  type SkippedThreshold,
} from "./runbook-rules.ts";
export { dimensionSetsFor, inScope, scopeSeries } from "./select.ts";
export { type SyntheticTraffic, type SyntheticVersion, syntheticSnapshot } from "./synthetic.ts";
export type * from "./types.ts";
export { monitorMetrics } from "./types.ts";
