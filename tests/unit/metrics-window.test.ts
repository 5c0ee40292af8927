import assert from "node:assert/strict";
import { test } from "node:test";
import { addSeries, bucketize, longestGapMs, mergeSeries, pointsInRange } from "../../lib/metrics/index.ts";

const t0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const p = (offsetS: number, value: number) => ({ timestamp: t0 + offsetS * 1000, value });

test("pointsInRange keeps a period that straddles the start and drops ones that end before it", () => {
  const points = [p(120, 3), p(0, 1), p(60, 2)];
  assert.deepEqual(pointsInRange(points, { startMs: t0 + 90_000, endMs: t0 + 180_000 }, 60_000), [
    p(60, 2),
    p(120, 3),
  ]);
});

test("bucketize aligns to epoch buckets and sums or takes the maximum", () => {
  const points = [p(0, 1), p(10, 2), p(59, 3), p(60, 4)];
  assert.deepEqual(bucketize(points, 60_000), [p(0, 6), p(60, 4)]);
  assert.deepEqual(bucketize(points, 60_000, "max"), [p(0, 3), p(60, 4)]);
  assert.throws(() => bucketize(points, 0), /periods must be positive/);
});

test("mergeSeries lets a newer read of a period replace the older one", () => {
  assert.deepEqual(mergeSeries([p(0, 1), p(60, 5)], [p(60, 9), p(120, 2)]), [p(0, 1), p(60, 9), p(120, 2)]);
});

test("addSeries adds values that share a timestamp", () => {
  assert.deepEqual(addSeries([p(0, 1), p(60, 2)], [p(60, 3)]), [p(0, 1), p(60, 5)]);
});

test("longestGapMs measures uncovered stretches, forgiving the trailing lag", () => {
  const range = { startMs: t0, endMs: t0 + 300_000 };
  assert.equal(longestGapMs([p(0, 1), p(60, 1), p(240, 1)], range, 60_000), 120_000);
  assert.equal(longestGapMs([p(0, 1)], range, 60_000), 240_000);
  assert.equal(longestGapMs([p(0, 1)], range, 60_000, 240_000), 0);
  assert.equal(longestGapMs([], range, 60_000), 300_000);
});
