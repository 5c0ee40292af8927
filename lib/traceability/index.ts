export { checkTraceability, describeTraceability, type TraceabilityResult } from "./check.ts";
export { type CollectOptions, collectTestedItems } from "./collect.ts";
export { TestListingError } from "./errors.ts";
export { ListReportSchema, RUNBOOK_ITEM_ANNOTATION, testedItemsFromReport } from "./list-report.ts";
export { formatDuration, formatThreshold, type RenderOptions, renderRunbookMarkdown } from "./render.ts";
