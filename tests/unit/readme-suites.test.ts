import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { suiteLayout } from "../../lib/run/index.ts";
import { sectionsBySuite, suiteTableMarkdown } from "../../lib/traceability/index.ts";
import { runbooks } from "../../runbooks/index.ts";

const cells = (table: string) =>
  table
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[\s|-]+\|$/.test(line))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );

test("the README's suite table is the one the runbook data gives (npm run runbook -- suites)", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const match = /<!-- suites:start -->\n([\s\S]*?)\n<!-- suites:end -->/.exec(readme);
  assert.ok(match, "README keeps the suites markers");
  const generated = suiteTableMarkdown(
    runbooks,
    suiteLayout().map((layout) => layout.suite),
  );
  assert.deepEqual(
    cells(match[1] ?? ""),
    cells(generated),
    "README suite table is stale: paste `npm run runbook -- suites` between the markers",
  );
});

test("a section is listed under the suite of each of its automated items, also where items of one section differ", () => {
  const sections = sectionsBySuite(runbooks);
  // 7.4 is PROD verification: its health invoke is smoke's, its alias and CloudFront checks post-deploy's.
  assert.ok(sections.get("smoke")?.get("tenant-deploy")?.includes("7.4"));
  assert.ok(sections.get("post-deploy")?.get("tenant-deploy")?.includes("7.4"));
  assert.equal(sections.get("none"), undefined, "no automated item sits in a section no suite verifies");
});
