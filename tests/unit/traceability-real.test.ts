/**
 * The real traceability check: every automated item of the real runbooks is declared by a spec in suites/,
 * and every declared id exists.
 *
 * While the suites are being written, an automated item whose section's suite folder (suites/<suite>/)
 * holds no *.spec.ts yet is reported as `todo` instead of failing. The moment a suite gets its first spec,
 * every automated item of that suite must be declared by some test, or this test fails. Nothing else is
 * relaxed: unknown ids fail at once, and an item of a suite that has specs is never todo.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parseProjectName } from "../../lib/run/index.ts";
import {
  checkTraceability,
  type ListReport,
  listTests,
  RUNBOOK_ITEM_ANNOTATION,
  type TraceabilityResult,
  testedItemsFromReport,
} from "../../lib/traceability/index.ts";
import { allRunbookItems, runbooks, type SuiteId } from "../../runbooks/index.ts";

const root = join(import.meta.dirname, "../..");

function specFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(path);
    return entry.name.endsWith(".spec.ts") ? [path] : [];
  });
}

const suiteHasSpecs = (suite: SuiteId) => specFiles(join(root, "suites", suite)).length > 0;

let tested = new Map<string, string[]>();
let result: TraceabilityResult;
let report: ListReport = { suites: [], errors: [] };

before(async () => {
  const anySpecs = specFiles(join(root, "suites")).length > 0;
  if (existsSync(join(root, "playwright.config.ts"))) {
    report = await listTests({ cwd: root });
    tested = testedItemsFromReport(report);
  } else {
    assert.ok(!anySpecs, "suites/ has specs but there is no playwright.config.ts to list them with");
  }
  result = checkTraceability(runbooks, tested);
});

test("every runbook-item annotation in suites/ names an item of the runbooks", () => {
  assert.deepEqual(
    result.unknownIds,
    [],
    `unknown ids, declared by: ${JSON.stringify(Object.fromEntries(result.unknownIds.map((id) => [id, tested.get(id)])))}`,
  );
});

describe("every automated runbook item is verified by a test", () => {
  for (const item of allRunbookItems().filter((candidate) => candidate.kind === "automated")) {
    const todo = suiteHasSpecs(item.suite) ? false : `suites/${item.suite}/ has no spec yet`;
    test(`${item.id} (suite ${item.suite})`, { todo }, () => {
      assert.ok(
        result.untested.every((untested) => untested.id !== item.id),
        `No test declares ${item.id} ("${item.title}"). Add verifies("${item.id}") to the test in suites/${item.suite}/ that checks it.`,
      );
    });
  }
});

/** Project name -> the item ids its tests declare. */
function itemsByProject(from: ListReport): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const visit = (suite: ListReport["suites"][number]): void => {
    for (const spec of suite.specs) {
      for (const t of spec.tests) {
        const ids = out.get(t.projectName ?? "") ?? new Set<string>();
        for (const a of t.annotations)
          if (a.type === RUNBOOK_ITEM_ANNOTATION && a.description) ids.add(a.description);
        out.set(t.projectName ?? "", ids);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const file of from.suites) visit(file);
  return out;
}

// A whole-suite run is a passing gate only when it covers every automated item the runbooks give its suite
// for its environment and service (lib/verdict: a run that leaves one out is inconclusive). So each
// project's tests must declare exactly those items, and an item's `suite` must name where its test is.
test("every project's tests cover every automated item of its suite, environment and service", () => {
  const gaps: string[] = [];
  for (const [project, ids] of itemsByProject(report)) {
    const parsed = parseProjectName(project);
    if (!parsed) continue;
    for (const item of allRunbookItems()) {
      const runbook = runbooks.find((candidate) => candidate.id === item.runbookId);
      if (item.kind !== "automated" || runbook?.service !== parsed.service) continue;
      if (item.suite !== parsed.suite || !item.environments.includes(parsed.env)) continue;
      if (!ids.has(item.id)) gaps.push(`${project}: ${item.id} (suite ${item.suite})`);
    }
  }
  assert.deepEqual(gaps, [], "set the item's suite to the one whose test verifies it, or add the test");
});
