export {
  type AttestedDecision,
  attestedItemsInScope,
  type BuildVerdictInput,
  buildVerdict,
} from "./build.ts";
export { ReportHashMismatchError, VerdictInvalidError } from "./errors.ts";
export {
  ANNOTATION,
  type Annotation,
  aggregateTestStatuses,
  classifyTest,
  combinedCodeSha256,
  countItems,
  countTests,
  decideOutcome,
  exitCodeFor,
  GUARD_ATTACHMENT,
  isVerdictUsable,
  type OutcomeInput,
  type RawTest,
  type UsabilityExpectation,
} from "./policy.ts";
export { readVerdict } from "./read.ts";
export { computeReportSha256, reportFiles, UNHASHED_FILE } from "./report-hash.ts";
export * from "./schema.ts";
export { formatVerdictSummary, outcomeWord, problemGroups, type SummaryStyle, wrap } from "./summary.ts";
