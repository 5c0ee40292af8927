import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatTapTotals, readTapTotals } from "../../lib/cli/index.ts";

const TOTALS = [
  "# tests 9",
  "# suites 1",
  "# pass 3",
  "# fail 1",
  "# cancelled 1",
  "# skipped 1",
  "# todo 3",
  "# duration_ms 231.943085",
];

describe("readTapTotals", () => {
  test("reads the runner's closing block", () => {
    const tap = ["TAP version 13", "ok 1 - a", "not ok 2 - b", "1..2", ...TOTALS, ""].join("\n");
    assert.deepEqual(readTapTotals(tap), { tests: 9, pass: 3, fail: 1, cancelled: 1, skipped: 1, todo: 3 });
  });

  test("a block a test printed earlier does not count: the last block wins", () => {
    const fake = ["# tests 100", "# pass 100", "# fail 0", "# cancelled 0", "# skipped 0", "# todo 0"];
    assert.equal(readTapTotals([...fake, "ok 1 - a", ...TOTALS].join("\n"))?.tests, 9);
  });

  test("null when the run ended before its totals or they are incomplete", () => {
    assert.equal(readTapTotals("TAP version 13\nok 1 - a\n"), null);
    assert.equal(readTapTotals("# tests 3\n# pass 3\n"), null);
  });
});

describe("formatTapTotals", () => {
  test("ends on exactly `Total: N passed, N failed, N skipped`; cancelled is failed, todo is skipped", () => {
    const lines = formatTapTotals({ tests: 9, pass: 3, fail: 1, cancelled: 1, skipped: 1, todo: 3 });
    assert.equal(lines.at(-1), "Total: 3 passed, 2 failed, 4 skipped");
    assert.equal(lines[0], "Of 9 tests: 3 todo (counted as skipped), 1 cancelled (counted as failed)");
  });
});
