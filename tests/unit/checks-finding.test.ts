import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { combine, failed, inconclusive, passed } from "../../lib/checks/finding.ts";

describe("combine", () => {
  test("nothing to combine is passed with no reason (settle() refuses that case itself)", () => {
    assert.deepEqual(combine([]), { status: "passed", reason: "", evidence: {} });
  });

  test("all passed: passed, every reason joined", () => {
    const finding = combine([passed("a.", { a: 1 }), passed("b.", { b: 2 })]);
    assert.deepEqual(finding, { status: "passed", reason: "a. b.", evidence: { a: 1, b: 2 } });
  });

  test("inconclusive beats passed and keeps only the inconclusive reasons", () => {
    const finding = combine([passed("a."), inconclusive("no data."), passed("b.")]);
    assert.equal(finding.status, "inconclusive");
    assert.equal(finding.reason, "no data.");
  });

  test("failed beats inconclusive and passed, all failures listed in order", () => {
    const finding = combine([failed("x."), inconclusive("no data."), passed("a."), failed("y.")]);
    assert.equal(finding.status, "failed");
    assert.equal(finding.reason, "x. y.");
  });

  test("a reason several findings share is said once", () => {
    const finding = combine([failed("no record."), failed("x."), failed("no record.")]);
    assert.equal(finding.reason, "no record. x.");
  });

  test("evidence of every finding is kept, later keys win", () => {
    const finding = combine([passed("a.", { k: 1, a: true }), failed("x.", { k: 2 })]);
    assert.deepEqual(finding.evidence, { k: 2, a: true });
  });
});
