import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatVerdictSummary, outcomeWord, type Verdict, wrap } from "../../lib/verdict/index.ts";
import { verdictWith } from "./verdict-fixture.ts";

const verdict = verdictWith;

const item = (id: string, status: Verdict["items"][number]["status"], reason?: string) => ({
  id,
  title: id,
  kind: "automated" as const,
  status,
  tests: [],
  evidence: [],
  ...(reason ? { reason } : {}),
});

describe("the console summary", () => {
  test("the word and the exit code are the verdict's; a partial pass says PARTIAL", () => {
    assert.equal(outcomeWord(verdict({})), "PASSED");
    assert.equal(
      outcomeWord(verdict({ scope: { complete: false, narrowedBy: ["--grep @probe"], shard: null } })),
      "PASSED (PARTIAL)",
    );
    const error = verdict({ outcome: "error", exitCode: 2, reasons: ["account guard failed"] });
    assert.match(formatVerdictSummary(error)[0] ?? "", /^Verdict: ERROR \(exit 2\) /);
    const interrupted = verdict({ outcome: "interrupted", exitCode: 130 });
    assert.match(formatVerdictSummary(interrupted)[0] ?? "", /^Verdict: INTERRUPTED \(exit 130\) /);
  });

  test("a verdict whose exit code is not its outcome's does not parse", () => {
    assert.throws(
      () => verdict({ outcome: "inconclusive", exitCode: 2 }),
      /exitCode must be the outcome's code/,
    );
  });

  test("each problem once and whole; one cause shared by many items is one line with a count", () => {
    const long = `CloudWatch answered nothing for bbws-tenant-instance-management-dev ${"and more words ".repeat(12)}end`;
    const lines = formatVerdictSummary(
      verdict({
        outcome: "inconclusive",
        exitCode: 3,
        items: [
          item("a/1/x", "inconclusive", long),
          item("a/1/y", "inconclusive", long),
          item("a/1/z", "failed", "boom"),
        ],
        reasons: ["a/1/x: inconclusive (...)", "a/1/z: failed (boom)", "the run timed out"],
      }),
      { width: 80 },
    );
    const text = lines.join("\n");
    assert.match(text, /^ {2}failed {14}a\/1\/z: boom$/m);
    assert.match(text, /^ {2}inconclusive {8}2 items \(a\/1\/x, a\/1\/y\): CloudWatch answered/m);
    assert.equal(text.split("CloudWatch answered").length - 1, 1, "the shared cause is printed once");
    assert.ok(text.replace(/\s+/g, " ").includes(long), "the reason is whole, not cut");
    const problems = lines.filter((line) => line.startsWith("  "));
    assert.ok(
      problems.every((line) => line.length <= 80),
      "problems are wrapped at the width",
    );
    assert.match(text, /reason: the run timed out/);
    assert.doesNotMatch(text, /reason: a\/1\/z/, "item reasons are not repeated");
  });

  test("wrap keeps the first line's indent and indents the rest", () => {
    assert.deepEqual(wrap("  one two three four", 10, "    "), ["  one two", "    three", "    four"]);
  });
});
