import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkTraceability,
  describeTraceability,
  testedItemsFromReport,
} from "../../lib/traceability/index.ts";
import { ListReportSchema } from "../../lib/traceability/list-report.ts";
import { runbooks } from "../../runbooks/index.ts";
import { miniRunbook } from "../fixtures-data/traceability/mini-runbook.ts";

describe("checkTraceability", () => {
  test("an automated item no test declares fails the rule", () => {
    const tested = new Map([
      ["mini/1/health", ["mini.spec.ts › health answers"]],
      ["mini/1/auth", ["mini.spec.ts › auth › 401 without a token"]],
    ]);
    const result = checkTraceability([miniRunbook], tested);
    assert.deepEqual(
      result.untested.map((item) => [item.id, item.suite]),
      [["mini/1/unmapped", "smoke"]],
    );
    assert.deepEqual(result.unknownIds, []);
    assert.match(
      describeTraceability(result, tested),
      /^1 automated runbook item\(s\) have no test declaring them:\n {2}mini\/1\/unmapped \(suite smoke\)/,
    );
  });

  test("attested items need no test, and an empty title list is not a test", () => {
    const tested = new Map([
      ["mini/1/health", ["a"]],
      ["mini/1/auth", []],
      ["mini/1/unmapped", ["b"]],
    ]);
    const result = checkTraceability([miniRunbook], tested);
    assert.deepEqual(
      result.untested.map((item) => item.id),
      ["mini/1/auth"],
    );
  });

  test("an annotation naming an id no runbook has is an error", () => {
    const tested = new Map([
      ["mini/1/health", ["a"]],
      ["mini/1/auth", ["a"]],
      ["mini/1/unmapped", ["a"]],
      ["mini/9/typo", ["mini.spec.ts › declares an id no runbook has"]],
      ["mini/2/uat-signed-off", ["c"]],
    ]);
    const result = checkTraceability([miniRunbook], tested);
    assert.deepEqual(result.untested, []);
    assert.deepEqual(result.unknownIds, ["mini/9/typo"]);
    assert.match(
      describeTraceability(result, tested),
      /mini\/9\/typo in mini\.spec\.ts › declares an id no runbook has/,
    );
  });

  test("a fully traced runbook passes and describes nothing", () => {
    const tested = new Map(["mini/1/health", "mini/1/auth", "mini/1/unmapped"].map((id) => [id, ["t"]]));
    const result = checkTraceability([miniRunbook], tested);
    assert.deepEqual(result, { untested: [], unknownIds: [] });
    assert.equal(describeTraceability(result, tested), "");
  });

  test("with no tests at all, exactly the real runbooks' automated items are untested", () => {
    const result = checkTraceability(runbooks, new Map());
    const automated = runbooks
      .flatMap((r) => r.sections.flatMap((s) => s.items))
      .filter((i) => i.kind === "automated");
    assert.equal(result.untested.length, automated.length);
    assert.ok(result.untested.every((item) => item.kind === "automated"));
  });
});

describe("testedItemsFromReport", () => {
  test("reads static annotations from nested suites, deduplicating projects", () => {
    const spec = (
      title: string,
      annotations: { type: string; description?: string }[],
      projects = ["dev", "sit"],
    ) => ({
      title,
      file: "smoke/health.spec.ts",
      tests: projects.map((projectName) => ({ annotations, projectName, status: "skipped" })),
    });
    const report = ListReportSchema.parse({
      config: {},
      suites: [
        {
          title: "smoke/health.spec.ts",
          file: "smoke/health.spec.ts",
          specs: [spec("top", [{ type: "runbook-item", description: "a/1/x" }])],
          suites: [
            {
              title: "group",
              file: "smoke/health.spec.ts",
              specs: [
                spec("inner", [
                  { type: "runbook-item", description: "a/1/x" },
                  { type: "runbook-item", description: "a/1/y" },
                  { type: "issue", description: "a/1/z" },
                  { type: "runbook-item" },
                ]),
              ],
            },
          ],
        },
      ],
      errors: [],
    });
    assert.deepEqual(
      [...testedItemsFromReport(report)],
      [
        ["a/1/x", ["smoke/health.spec.ts › group › inner", "smoke/health.spec.ts › top"]],
        ["a/1/y", ["smoke/health.spec.ts › group › inner"]],
      ],
    );
  });

  test("a report of another shape is refused", () => {
    assert.equal(ListReportSchema.safeParse({ suites: [{ title: "x" }] }).success, false);
  });
});
