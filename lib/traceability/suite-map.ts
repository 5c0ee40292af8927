/**
 * The map from a runbook item to the test that verifies it and the checks behind that test, so a newcomer
 * needs two hops at most: item id -> spec (file:line) -> judge (lib/checks). Written to suites/README.md by
 * `npm run runbook -- map` and pinned there by a unit test.
 */
import { allRunbookItems, type Runbook } from "../../runbooks/index.ts";
import { type ListReport, RUNBOOK_ITEM_ANNOTATION } from "./list-report.ts";

export interface MappedTest {
  /** `suites/post-deploy/lambda.spec.ts:39` */
  location: string;
  title: string;
  /** lib/checks judges the test's body calls, in order of first use. */
  judges: string[];
  /** Other checks it calls: readers, the contract client, settle. */
  helpers: string[];
}

type Suite = ListReport["suites"][number];

/** Every listed test with the item ids it declares, deduplicated across projects. */
function listedTests(report: ListReport): { file: string; line: number; title: string; ids: string[] }[] {
  const out = new Map<string, { file: string; line: number; title: string; ids: Set<string> }>();
  const visit = (suite: Suite, titles: string[]) => {
    for (const spec of suite.specs) {
      const key = `${spec.file}:${spec.line ?? 0}:${spec.title}`;
      const entry = out.get(key) ?? {
        file: spec.file,
        line: spec.line ?? 0,
        title: [...titles, spec.title].join(" › "),
        ids: new Set<string>(),
      };
      for (const test of spec.tests) {
        for (const annotation of test.annotations) {
          if (annotation.type === RUNBOOK_ITEM_ANNOTATION && annotation.description)
            entry.ids.add(annotation.description);
        }
      }
      out.set(key, entry);
    }
    for (const child of suite.suites ?? []) visit(child, [...titles, child.title]);
  };
  for (const file of report.suites) visit(file, []);
  return [...out.values()].map((entry) => ({ ...entry, ids: [...entry.ids] }));
}

/** The names a test body calls: `judge*` functions, and the readers and helpers that feed them. */
export function callsIn(body: string): { judges: string[]; helpers: string[] } {
  const names = (pattern: RegExp) => [...new Set([...body.matchAll(pattern)].map((match) => match[1] ?? ""))];
  const judges = names(/\b(judge[A-Z]\w*)\(/g);
  const helpers = names(
    /\b((?:read|invoke|alarms|alarmTransitions|monitoringWindows|deployedFunctions|search)\w*|contract\.(?:call|fails|[a-z]+)|settle)\(/g,
  )
    .filter((name) => !judges.includes(name))
    .map((name) => (name.startsWith("contract.") ? "contract client (fixtures/contract-client.ts)" : name));
  return { judges, helpers: [...new Set(helpers)] };
}

/** Item id -> the tests that verify it, with the checks each test's body calls. */
export function mapItemsToChecks(
  report: ListReport,
  source: (file: string) => string,
): Map<string, MappedTest[]> {
  const tests = listedTests(report);
  const byFile = new Map<string, number[]>();
  for (const test of tests) byFile.set(test.file, [...(byFile.get(test.file) ?? []), test.line]);
  const map = new Map<string, MappedTest[]>();
  for (const test of tests) {
    const lines = source(test.file).split("\n");
    // A test's body runs from its line to the next test's line in the same file.
    const next = [...new Set(byFile.get(test.file) ?? [])]
      .sort((a, b) => a - b)
      .find((line) => line > test.line);
    const body = lines.slice(test.line - 1, next === undefined ? lines.length : next - 1).join("\n");
    const { judges, helpers } = callsIn(body);
    const mapped: MappedTest = { location: `${test.file}:${test.line}`, title: test.title, judges, helpers };
    for (const id of test.ids) {
      const list = map.get(id) ?? [];
      if (!list.some((known) => known.location === mapped.location && known.title === mapped.title))
        list.push(mapped);
      map.set(id, list);
    }
  }
  return map;
}

/** The Markdown map: one table per runbook, one row per automated item, in runbook order. */
export function suiteMapMarkdown(runbooks: readonly Runbook[], map: Map<string, MappedTest[]>): string {
  const out: string[] = [];
  for (const runbook of runbooks) {
    out.push(`### ${runbook.title} (\`${runbook.id}\`)`, "");
    out.push(
      "| item | suite | test (spec:line) | check behind it (lib/checks judge, or the contract client) |",
      "| --- | --- | --- | --- |",
    );
    for (const item of allRunbookItems([runbook])) {
      if (item.kind !== "automated") continue;
      const tests = map.get(item.id) ?? [];
      const where =
        tests.length === 0
          ? `no test yet (suites/${item.suite}/)`
          : tests.map((t) => `\`${t.location}\` ${t.title.replaceAll("|", "\\|")}`).join("<br>");
      const judges = [...new Set(tests.flatMap((t) => (t.judges.length > 0 ? t.judges : t.helpers)))];
      out.push(
        `| \`${item.id}\` | ${item.suite} | ${where} | ${judges.map((j) => `\`${j}\``).join(", ") || "-"} |`,
      );
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}
