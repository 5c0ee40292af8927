/**
 * Reads the runbook items tests declare out of Playwright's JSON report of `playwright test --list`.
 * Only static annotations appear there (test details `annotation`, or a describe block's), which is why
 * `verifies()` must put its annotations in the test details, not push them at run time.
 */
import { z } from "zod";

/** The annotation type a test uses to declare the runbook item it verifies. */
export const RUNBOOK_ITEM_ANNOTATION = "runbook-item";

const AnnotationSchema = z.object({ type: z.string(), description: z.string().optional() });

const TestSchema = z.object({
  annotations: z.array(AnnotationSchema),
  projectName: z.string().optional(),
});

const SpecSchema = z.object({
  title: z.string(),
  file: z.string(),
  line: z.number().int().optional(),
  tests: z.array(TestSchema),
});

interface Suite {
  title: string;
  file: string;
  specs: z.infer<typeof SpecSchema>[];
  suites?: Suite[] | undefined;
}

const SuiteSchema: z.ZodType<Suite> = z.object({
  title: z.string(),
  file: z.string(),
  specs: z.array(SpecSchema),
  get suites() {
    return z.array(SuiteSchema).optional();
  },
});

const ErrorSchema = z.object({ message: z.string().optional() });

/** The part of Playwright's JSON report the traceability check reads. */
export const ListReportSchema = z.object({
  suites: z.array(SuiteSchema),
  errors: z.array(ErrorSchema).default([]),
});
export type ListReport = z.infer<typeof ListReportSchema>;

/** Item id -> titles (`file › describe › test`) of the tests that declare it, deduplicated across projects. */
export function testedItemsFromReport(report: ListReport): Map<string, string[]> {
  const tested = new Map<string, Set<string>>();
  const visit = (suite: Suite, titles: string[]): void => {
    for (const spec of suite.specs) {
      const title = [spec.file, ...titles, spec.title].join(" › ");
      for (const test of spec.tests) {
        for (const annotation of test.annotations) {
          if (annotation.type !== RUNBOOK_ITEM_ANNOTATION || annotation.description === undefined) continue;
          const id = annotation.description.trim();
          const titlesForId = tested.get(id) ?? new Set<string>();
          titlesForId.add(title);
          tested.set(id, titlesForId);
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...titles, child.title]);
  };
  // Top-level suites are files; their title is the file name, which the spec already carries.
  for (const fileSuite of report.suites) visit(fileSuite, []);
  return new Map([...tested].map(([id, titles]) => [id, [...titles].sort()]));
}

/** Whether an item id is selected by `--item`: the id itself, or a section prefix such as `tenant-deploy/8`. */
export function itemMatches(id: string, selector: string): boolean {
  const trimmed = selector.replace(/\/+$/, "");
  return id === trimmed || id.startsWith(`${trimmed}/`) || id.startsWith(`${trimmed}.`);
}

/**
 * The `file:line` locations of the tests that verify any of the selected items, in the listed project(s):
 * what `playwright test <file:line>...` runs, exactly those tests and no others.
 */
export function testLocationsForItems(
  report: ListReport,
  selectors: readonly string[],
): { locations: string[]; matchedItems: string[] } {
  const locations = new Set<string>();
  const matched = new Set<string>();
  const visit = (suite: Suite): void => {
    for (const spec of suite.specs) {
      for (const test of spec.tests) {
        const ids = test.annotations
          .filter((a) => a.type === RUNBOOK_ITEM_ANNOTATION && a.description !== undefined)
          .map((a) => (a.description ?? "").trim());
        const hits = ids.filter((id) => selectors.some((selector) => itemMatches(id, selector)));
        if (hits.length === 0) continue;
        for (const id of hits) matched.add(id);
        locations.add(spec.line === undefined ? spec.file : `${spec.file}:${spec.line}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const fileSuite of report.suites) visit(fileSuite);
  return { locations: [...locations].sort(), matchedItems: [...matched].sort() };
}
