import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { independently } from "../../fixtures/contract-client.ts";

const after = <T>(ms: number, value: T) => new Promise<T>((done) => setTimeout(() => done(value), ms));
const failAfter = (ms: number, message: string) =>
  new Promise<never>((_, fail) => setTimeout(() => fail(new Error(message)), ms));

describe("independently", () => {
  test("runs the checks side by side and resolves to their values in the order given", async () => {
    const started = performance.now();
    const [a, b, c] = await independently(after(60, "a"), after(60, 2), after(60, true));
    assert.deepEqual([a, b, c], ["a", 2, true]);
    assert.ok(performance.now() - started < 110, "three 60 ms checks took their sum, not the longest");
  });

  test("fails with the first failure in the order given, after every check has answered", async () => {
    let slowDone = false;
    const slow = after(80, "slow").then((value) => {
      slowDone = true;
      return value;
    });
    await assert.rejects(
      independently(failAfter(40, "second"), failAfter(10, "third"), slow),
      (error: Error) => error.message === "second",
    );
    assert.equal(slowDone, true, "it rejected before the slow check answered");
  });
});
