import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chooseWorkers, isLoopbackUrl, NETWORK_WORKERS } from "../../lib/run/workers.ts";

const base = { requested: null, fromEnv: undefined, loopback: true, apiLatencyMs: 0, cores: 2 };

describe("chooseWorkers", () => {
  test("--workers wins over HARNESS_WORKERS, which wins over the choice by the work", () => {
    assert.deepEqual(chooseWorkers({ ...base, requested: 3, fromEnv: "5" }), {
      workers: 3,
      why: "--workers",
    });
    assert.deepEqual(chooseWorkers({ ...base, fromEnv: "5" }), { workers: 5, why: "HARNESS_WORKERS" });
  });

  test("a HARNESS_WORKERS that is not a whole number >= 1 is ignored", () => {
    assert.equal(chooseWorkers({ ...base, fromEnv: "zero" }).workers, 1);
    assert.equal(chooseWorkers({ ...base, fromEnv: "0" }).workers, 1);
  });

  test("a remote API is latency-bound: more workers than cores", () => {
    const choice = chooseWorkers({ ...base, loopback: false });
    assert.equal(choice.workers, NETWORK_WORKERS);
    assert.match(choice.why, /wait on the network/);
  });

  test("a sandbox that adds latency is latency-bound too", () => {
    assert.equal(chooseWorkers({ ...base, apiLatencyMs: 100 }).workers, NETWORK_WORKERS);
    assert.equal(chooseWorkers({ ...base, apiLatencyMs: 5 }).workers, 1);
  });

  test("an API on this machine leaves it a core: 1 worker on 2 cores, 3 on 4, never more than 4 or fewer than 1", () => {
    assert.equal(chooseWorkers({ ...base, cores: 2 }).workers, 1);
    assert.equal(chooseWorkers({ ...base, cores: 4 }).workers, 3);
    assert.equal(chooseWorkers({ ...base, cores: 32 }).workers, 4);
    assert.equal(chooseWorkers({ ...base, cores: 1 }).workers, 1);
  });
});

describe("isLoopbackUrl", () => {
  test("127.x, localhost and ::1 are this machine; anything else is not", () => {
    assert.equal(isLoopbackUrl("http://127.0.0.1:3000/v1"), true);
    assert.equal(isLoopbackUrl("http://localhost:8080"), true);
    assert.equal(isLoopbackUrl("http://[::1]:9000"), true);
    assert.equal(isLoopbackUrl("https://api.example.com/v1"), false);
    assert.equal(isLoopbackUrl("not a url"), false);
  });
});
