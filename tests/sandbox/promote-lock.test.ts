/**
 * The deploy lock against the sandbox's DynamoDB through the real SDK, with an environment's sandbox
 * credentials: one winner of two acquires at once, steps, release, a stale lock that refuses until broken
 * with a reason, the break record, and the lost lock of the run that was broken.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  type AcquireLockOptions,
  acquireLock,
  BreakLockRefusedError,
  breakLock,
  deployLockTable,
  LockHeldError,
  LockLostError,
  readLock,
  readLockBreaks,
  releaseLock,
  updateLockStep,
} from "../../lib/promote/index.ts";
import type { ServiceId } from "../../runbooks/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";

const env = "sit";
const table = deployLockTable(env);
const sha = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const t0 = new Date("2025-03-01T10:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

let sandbox: SandboxHandle;
let stateDir: string;
let dynamodb: DynamoDBClient;
let doc: DynamoDBDocumentClient;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-promote-lock-"));
  sandbox = await startSandbox({ stateDir, quiet: true });
  const e = sandbox.endpoints.environments[env];
  dynamodb = new DynamoDBClient({
    endpoint: sandbox.endpoints.awsEndpoint,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    maxAttempts: 1,
  });
  doc = DynamoDBDocumentClient.from(dynamodb);
});

after(async () => {
  doc?.destroy();
  dynamodb?.destroy();
  await sandbox?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

function options(service: ServiceId, holder: string, runId: string, now = t0): AcquireLockOptions {
  return {
    service,
    holder,
    runId,
    operation: "promote",
    leaseSeconds: 60,
    target: { version: "7", codeSha256: sha, appVersion: "1.5.0", fromVersion: "6" },
    now,
  };
}

describe("deploy lock in the sandbox's bbws-deployments-sit", () => {
  test("acquire writes the lock item; two acquires at once: exactly one wins, the other names the holder", async () => {
    const service = "tenant-instance-management";
    const contenders = ["alice@build-01", "bob@laptop", "carol@build-02", "dave@laptop"];
    const results = await Promise.allSettled(
      contenders.map((holder, index) => acquireLock(doc, table, options(service, holder, `run-${index}`))),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    assert.equal(won.length, 1, JSON.stringify(results));
    assert.equal(refused.length, contenders.length - 1);
    const winner = won[0]?.value;
    assert.ok(winner);
    for (const error of refused) {
      assert.ok(error instanceof LockHeldError, String(error));
      assert.equal(error.stale, false);
      assert.equal(error.lock.runId, winner.runId);
      assert.ok(error.message.includes(winner.holder), error.message);
      assert.ok(error.message.includes(winner.runId), error.message);
    }

    const stored = await doc.send(
      new GetCommand({ TableName: table, Key: { PK: "LOCK#tenant-instance-management", SK: "lock" } }),
    );
    assert.deepEqual(stored.Item, {
      PK: "LOCK#tenant-instance-management",
      SK: "lock",
      service,
      holder: winner.holder,
      runId: winner.runId,
      operation: "promote",
      step: "acquired",
      acquiredAt: t0.toISOString(),
      heartbeatAt: t0.toISOString(),
      leaseSeconds: 60,
      expiresAt: at(60).toISOString(),
      target: { version: "7", codeSha256: sha, appVersion: "1.5.0", fromVersion: "6" },
      history: [{ step: "acquired", at: t0.toISOString() }],
    });

    // Steps renew the lease and append to the history.
    const moved = await updateLockStep(doc, table, winner, "create backup alias", at(30));
    const published = await updateLockStep(doc, table, moved, "publish version", at(50));
    assert.equal(published.step, "publish version");
    assert.equal(published.heartbeatAt, at(50).toISOString());
    assert.equal(published.expiresAt, at(110).toISOString());
    assert.deepEqual(
      published.history.map((entry) => entry.step),
      ["acquired", "create backup alias", "publish version"],
    );
    const read = await readLock(doc, table, service, at(100));
    assert.equal(read?.step, "publish version");
    assert.equal(read?.stale, false, "the step renewed the lease past its first expiry");

    await releaseLock(doc, table, published);
    assert.equal(await readLock(doc, table, service), null);
    // A released lock can be taken again at once.
    const again = await acquireLock(doc, table, options(service, "bob@laptop", "run-bob-2", at(120)));
    await releaseLock(doc, table, again);
  });

  test("a stale lock refuses a new acquire until broken with a reason; the break is recorded; its run has lost it", async () => {
    const service = "access-management";
    const killed = await acquireLock(doc, table, {
      ...options(service, "alice@build-01", "run-killed"),
      operation: "rollback",
      target: { version: "1.3.0", fromVersion: "1.4.0" },
    });
    const reached = await updateLockStep(doc, table, killed, "move alias latest-sit", at(10));
    // The run is killed here: no heartbeat after 10 s, so the lease ends at 70 s.

    const later = at(300);
    await assert.rejects(
      acquireLock(doc, table, options(service, "bob@laptop", "run-next", later)),
      (error) => {
        assert.ok(error instanceof LockHeldError);
        assert.equal(error.stale, true);
        assert.match(
          error.message,
          /alice@build-01 holds the rollback lock of access-management for run run-killed/,
        );
        assert.match(error.message, /step "move alias latest-sit"/);
        assert.match(error.message, /so the lock is stale/);
        assert.match(error.message, /--break-lock --reason/);
        return true;
      },
    );
    assert.equal((await readLock(doc, table, service, later))?.stale, true);

    await assert.rejects(
      breakLock(doc, table, { service, reason: "  ", by: "bob@laptop", now: later }),
      (error) => error instanceof BreakLockRefusedError && error.refusal === "no-reason",
    );
    assert.equal(
      (await readLock(doc, table, service))?.runId,
      "run-killed",
      "a refused break changes nothing",
    );

    const record = await breakLock(doc, table, {
      service,
      reason: "run-killed was cancelled by the CI timeout",
      by: "bob@laptop",
      now: later,
    });
    assert.ok(record);
    assert.equal(
      record.lock.step,
      "move alias latest-sit",
      "the break reports the step the killed run reached",
    );
    assert.equal(record.wasStale, true);
    assert.equal(record.forced, false);
    assert.equal(await readLock(doc, table, service), null);

    const stored = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": "LOCKBREAK#access-management" },
      }),
    );
    assert.equal(stored.Items?.length, 1);
    assert.deepEqual(stored.Items?.[0], {
      PK: "LOCKBREAK#access-management",
      SK: later.toISOString(),
      service,
      brokenAt: later.toISOString(),
      by: "bob@laptop",
      reason: "run-killed was cancelled by the CI timeout",
      wasStale: true,
      forced: false,
      lock: { ...reached },
    });
    assert.deepEqual(await readLockBreaks(doc, table, service), [record]);

    const next = await acquireLock(doc, table, options(service, "bob@laptop", "run-next", later));

    // The killed run comes back to life: it has lost the lock, and is told who broke it and why.
    await assert.rejects(updateLockStep(doc, table, reached, "delete backup alias", at(310)), (error) => {
      assert.ok(error instanceof LockLostError, String(error));
      assert.equal(error.breakRecord?.by, "bob@laptop");
      assert.equal(error.current?.runId, "run-next");
      assert.match(error.message, /reason: "run-killed was cancelled by the CI timeout"/);
      return true;
    });
    await assert.rejects(releaseLock(doc, table, reached), LockLostError);
    assert.equal((await readLock(doc, table, service))?.runId, "run-next", "the lost run touched nothing");
    await releaseLock(doc, table, next);
  });

  test("a live lock is broken only with force, and the record says so", async () => {
    const service = "tenant-instance-management";
    const now = at(1000);
    const held = await acquireLock(doc, table, options(service, "alice@build-01", "run-live", now));
    await assert.rejects(
      breakLock(doc, table, { service, reason: "looks stuck", by: "bob@laptop", now: at(1010) }),
      (error) => {
        assert.ok(error instanceof BreakLockRefusedError);
        assert.equal(error.refusal, "live");
        assert.match(error.message, /alice@build-01 holds the promote lock/);
        return true;
      },
    );
    assert.equal((await readLock(doc, table, service, at(1010)))?.runId, "run-live");
    assert.equal((await readLockBreaks(doc, table, service)).length, 0, "a refused break records nothing");

    const record = await breakLock(doc, table, {
      service,
      reason: "alice's laptop lost power mid-run",
      by: "bob@laptop",
      force: true,
      now: at(1010),
    });
    assert.equal(record?.wasStale, false);
    assert.equal(record?.forced, true);
    assert.equal(await readLock(doc, table, service), null);
    await assert.rejects(updateLockStep(doc, table, held, "move alias", at(1020)), LockLostError);
    // Nothing left to break.
    assert.equal(
      await breakLock(doc, table, { service, reason: "again", by: "bob@laptop", now: at(1030) }),
      null,
    );
  });
});
