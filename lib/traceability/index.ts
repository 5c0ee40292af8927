export { checkTraceability, describeTraceability, type TraceabilityResult } from "./check.ts";
export { type CollectOptions, collectTestedItems, listTests } from "./collect.ts";
export { TestListingError } from "./errors.ts";
export {
  itemMatches,
  type ListReport,
  ListReportSchema,
  RUNBOOK_ITEM_ANNOTATION,
  testedItemsFromReport,
  testLocationsForItems,
} from "./list-report.ts";
export { formatDuration, formatThreshold, type RenderOptions, renderRunbookMarkdown } from "./render.ts";
export { callsIn, type MappedTest, mapItemsToChecks, suiteMapMarkdown } from "./suite-map.ts";
export { sectionsBySuite, suiteTableMarkdown } from "./suites-table.ts";
