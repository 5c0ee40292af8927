import { z } from "zod";
import { isOperationId, type OperationId, operationIds } from "./operations.ts";
import { endpointLabel, matchOperation } from "./paths.ts";

/**
 * Endpoint coverage: which of the 27 operations a smoke run exercised, and by which tests. Two
 * sources, kept apart on purpose: what specs *declare* (an `operation` annotation, known without
 * running anything, so a unit test can fail on an operation no test claims) and what the run
 * actually *sent* (the request log, so a declared-but-skipped test does not count as coverage).
 */

export const OPERATION_ANNOTATION = "operation";

/** Playwright annotations declaring the operations a test exercises: `{type: "operation", description: id}`. */
export function operationAnnotations(...ids: OperationId[]): Array<{ type: string; description: string }> {
  return ids.map((id) => ({ type: OPERATION_ANNOTATION, description: id }));
}

/** One request as the run's requests.jsonl records it (the fields coverage needs). */
export const CoverageRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  test: z.string().nullable(),
  status: z.number().int().nullable(),
});
export type CoverageRequest = z.infer<typeof CoverageRequestSchema>;

export interface OperationCoverage {
  id: OperationId;
  endpoint: string;
  /** Tests that declare the operation (annotations). */
  declaredBy: string[];
  /** Tests that sent at least one request to the operation and got an answer. */
  exercisedBy: string[];
  requests: number;
  /** Status codes the operation answered with, and how often. */
  statuses: Record<string, number>;
}

export interface CoverageReport {
  total: number;
  covered: number;
  uncovered: OperationId[];
  /** Requests that matched no contract operation (unknown routes on purpose, or drift). */
  unmatchedRequests: number;
  operations: OperationCoverage[];
}

/** Path of a logged URL relative to the API base URL (which may carry a stage prefix such as /prod). */
function relativePath(url: string, baseUrl: string | undefined): string {
  const path = new URL(url).pathname;
  const prefix = baseUrl === undefined ? "" : new URL(baseUrl).pathname.replace(/\/+$/, "");
  return prefix !== "" && path.startsWith(prefix) ? path.slice(prefix.length) || "/" : path;
}

/** Builds the coverage report from declared annotations and the run's request log. */
export function computeCoverage(input: {
  declared?: ReadonlyArray<{ test: string; operations: readonly string[] }>;
  requests: readonly CoverageRequest[];
  baseUrl?: string;
}): CoverageReport {
  const rows = new Map<OperationId, OperationCoverage>(
    operationIds.map((id) => [
      id,
      { id, endpoint: endpointLabel(id), declaredBy: [], exercisedBy: [], requests: 0, statuses: {} },
    ]),
  );
  for (const { test, operations } of input.declared ?? []) {
    for (const operation of operations) {
      const row = isOperationId(operation) ? rows.get(operation) : undefined;
      if (row !== undefined && !row.declaredBy.includes(test)) row.declaredBy.push(test);
    }
  }
  let unmatchedRequests = 0;
  for (const request of input.requests) {
    // A request refused before sending (read-only policy) or lost to the network exercised nothing.
    if (request.status === null) continue;
    const id = matchOperation(request.method, relativePath(request.url, input.baseUrl));
    const row = id === undefined ? undefined : rows.get(id);
    if (row === undefined) {
      unmatchedRequests += 1;
      continue;
    }
    row.requests += 1;
    row.statuses[String(request.status)] = (row.statuses[String(request.status)] ?? 0) + 1;
    const test = request.test ?? "(outside a test)";
    if (!row.exercisedBy.includes(test)) row.exercisedBy.push(test);
  }
  const operations = [...rows.values()];
  const uncovered = operations.filter((row) => row.exercisedBy.length === 0).map((row) => row.id);
  return {
    total: operations.length,
    covered: operations.length - uncovered.length,
    uncovered,
    unmatchedRequests,
    operations,
  };
}

/** The one-line summary a run report shows. */
export function coverageSummaryLine(report: {
  covered: number;
  total: number;
  uncovered: readonly string[];
}): string {
  const base = `Endpoint coverage: ${report.covered}/${report.total} operations exercised`;
  return report.uncovered.length === 0 ? base : `${base}; not exercised: ${report.uncovered.join(", ")}`;
}

/** A readable table: one line per operation with the tests that exercised it. */
export function formatCoverage(report: CoverageReport): string {
  const lines = [coverageSummaryLine(report)];
  for (const row of report.operations) {
    const mark = row.exercisedBy.length > 0 ? "ok  " : "MISS";
    const statuses = Object.entries(row.statuses)
      .map(([status, count]) => `${status}x${count}`)
      .join(" ");
    lines.push(`${mark} ${row.id.padEnd(18)} ${row.endpoint.padEnd(36)} ${statuses}`);
    for (const test of row.exercisedBy) lines.push(`       - ${test}`);
  }
  return `${lines.join("\n")}\n`;
}

// Optional fields admit undefined explicitly: that is what zod's .optional() produces.
interface ListedSuite {
  title: string;
  specs?:
    | Array<{
        title: string;
        tags?: string[] | undefined;
        tests: Array<{
          projectName?: string | undefined;
          annotations?: Array<{ type: string; description?: string | undefined }> | undefined;
        }>;
      }>
    | undefined;
  suites?: ListedSuite[] | undefined;
}

const AnnotationSchema = z.object({ type: z.string(), description: z.string().optional() });
const ListedSuiteSchema: z.ZodType<ListedSuite> = z.lazy(() =>
  z.object({
    title: z.string(),
    specs: z
      .array(
        z.object({
          title: z.string(),
          tags: z.array(z.string()).optional(),
          tests: z.array(
            z.object({
              projectName: z.string().optional(),
              annotations: z.array(AnnotationSchema).optional(),
            }),
          ),
        }),
      )
      .optional(),
    suites: z.array(ListedSuiteSchema).optional(),
  }),
);
const PlaywrightJsonSchema = z.object({ suites: z.array(ListedSuiteSchema) });

export interface DeclaredTest {
  /** Title path: file > describe > test. */
  test: string;
  project: string | null;
  tags: string[];
  operations: string[];
  annotations: Array<{ type: string; description?: string | undefined }>;
}

/** The tests of a Playwright JSON report (e.g. `playwright test --list --reporter=json`) with their operation annotations. */
export function declaredTestsFromPlaywrightJson(json: unknown): DeclaredTest[] {
  const report = PlaywrightJsonSchema.parse(json);
  const out: DeclaredTest[] = [];
  const walk = (suite: ListedSuite, titles: string[]) => {
    const path = suite.title === "" ? titles : [...titles, suite.title];
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        const annotations = test.annotations ?? [];
        out.push({
          test: [...path, spec.title].join(" > "),
          project: test.projectName ?? null,
          tags: spec.tags ?? [],
          operations: annotations
            .filter(
              (annotation) =>
                annotation.type === OPERATION_ANNOTATION && annotation.description !== undefined,
            )
            .map((annotation) => annotation.description ?? ""),
          annotations,
        });
      }
    }
    for (const child of suite.suites ?? []) walk(child, path);
  };
  for (const suite of report.suites) walk(suite, []);
  return out;
}

/** Name of the coverage file in a run folder. */
export const COVERAGE_FILE = "coverage.json";

/** The coverage of a run folder's requests.jsonl (lines that do not parse are skipped: a killed writer). */
export function coverageFromRequestLog(text: string, baseUrl?: string): CoverageReport {
  const requests: CoverageRequest[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = CoverageRequestSchema.safeParse(JSON.parse(line));
      if (parsed.success) requests.push(parsed.data);
    } catch {
      // A line cut short by a killed worker carries no usable request.
    }
  }
  return computeCoverage(baseUrl === undefined ? { requests } : { requests, baseUrl });
}
