import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BreakLockRefusedError,
  type DeployLock,
  DeployLockSchema,
  deployLockTable,
  describeLock,
  describeTarget,
  formatSpan,
  isStale,
  LockBreakRecordSchema,
  LockHeldError,
  LockLostError,
  lockBreakPartition,
  lockKey,
} from "../../lib/promote/index.ts";

const table = "bbws-deployments-sit";
const sha = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

function lock(overrides: Partial<DeployLock> = {}): DeployLock {
  return {
    PK: "LOCK#tenant-instance-management",
    SK: "lock",
    service: "tenant-instance-management",
    holder: "alice@build-01",
    runId: "20250301-sit-promote-a1b2",
    operation: "promote",
    step: "publish version",
    acquiredAt: "2025-03-01T10:00:00.000Z",
    heartbeatAt: "2025-03-01T10:02:00.000Z",
    leaseSeconds: 300,
    expiresAt: "2025-03-01T10:07:00.000Z",
    target: { version: "7", codeSha256: sha, appVersion: "1.5.0" },
    history: [
      { step: "acquired", at: "2025-03-01T10:00:00.000Z" },
      { step: "publish version", at: "2025-03-01T10:02:00.000Z" },
    ],
    ...overrides,
  };
}

const live = new Date("2025-03-01T10:03:00.000Z");
const late = new Date("2025-03-01T10:10:30.000Z");

describe("keys and table", () => {
  test("one lock item per service, break records beside it", () => {
    assert.deepEqual(lockKey("access-management"), { PK: "LOCK#access-management", SK: "lock" });
    assert.equal(lockBreakPartition("access-management"), "LOCKBREAK#access-management");
  });

  test("both services lock in the tenant service's deployments table of the environment", () => {
    assert.equal(deployLockTable("sit"), "bbws-deployments-sit");
    assert.equal(deployLockTable("prod"), "bbws-deployments-prod");
  });
});

describe("isStale", () => {
  test("live before expiresAt, stale at and after it", () => {
    assert.equal(isStale(lock(), live), false);
    assert.equal(isStale(lock(), new Date("2025-03-01T10:06:59.999Z")), false);
    assert.equal(isStale(lock(), new Date("2025-03-01T10:07:00.000Z")), true);
    assert.equal(isStale(lock(), late), true);
  });
});

describe("formatSpan", () => {
  test("the largest units that matter", () => {
    assert.equal(formatSpan(0), "0 s");
    assert.equal(formatSpan(45_400), "45 s");
    assert.equal(formatSpan(180_000), "3 min");
    assert.equal(formatSpan(200_000), "3 min 20 s");
    assert.equal(formatSpan(2 * 3_600_000 + 5 * 60_000), "2 h 5 min");
    assert.equal(formatSpan(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
    assert.equal(formatSpan(-5_000), "0 s");
  });
});

describe("describeTarget", () => {
  test("version, its code and where it comes from", () => {
    assert.equal(describeTarget({ version: "7" }), "version 7");
    assert.equal(
      describeTarget({ version: "7", appVersion: "1.5.0", codeSha256: sha, fromVersion: "6" }),
      `version 7 (app version 1.5.0, CodeSha256 ${sha}) from version 6`,
    );
    assert.equal(
      describeTarget({ version: "1.3.0", sourceEnvironment: "sit" }),
      "version 1.3.0 promoted from sit",
    );
  });
});

describe("describeLock", () => {
  test("a live lock: holder, run, operation, since, target, step and the lease left", () => {
    assert.equal(
      describeLock(lock(), live),
      "alice@build-01 holds the promote lock of tenant-instance-management for run 20250301-sit-promote-a1b2 " +
        `since 2025-03-01T10:00:00.000Z, moving version 7 (app version 1.5.0, CodeSha256 ${sha}); ` +
        'it reached step "publish version" (last heartbeat 2025-03-01T10:02:00.000Z, 1 min ago) and its lease ' +
        "runs until 2025-03-01T10:07:00.000Z (4 min from now).",
    );
  });

  test("a stale lock says so, and since when", () => {
    const sentence = describeLock(lock({ operation: "rollback" }), late);
    assert.match(sentence, /^alice@build-01 holds the rollback lock of tenant-instance-management/);
    assert.match(
      sentence,
      /its lease expired at 2025-03-01T10:07:00\.000Z \(3 min 30 s ago\), so the lock is stale\.$/,
    );
    assert.equal(sentence.split(". ").length, 1, "one sentence");
  });
});

describe("schemas", () => {
  test("a lock item parses, history defaulting to none", () => {
    const { history: _, ...withoutHistory } = lock();
    assert.deepEqual(DeployLockSchema.parse(withoutHistory).history, []);
    assert.deepEqual(DeployLockSchema.parse(lock()), lock());
  });

  test("an item that is not a lock is refused", () => {
    assert.equal(DeployLockSchema.safeParse({ ...lock(), operation: "deploy" }).success, false);
    assert.equal(DeployLockSchema.safeParse({ ...lock(), leaseSeconds: 0 }).success, false);
    assert.equal(DeployLockSchema.safeParse({ ...lock(), SK: "2025-03-01" }).success, false);
  });

  test("a break record carries the broken lock", () => {
    const record = {
      PK: "LOCKBREAK#tenant-instance-management",
      SK: late.toISOString(),
      service: "tenant-instance-management",
      brokenAt: late.toISOString(),
      by: "bob@laptop",
      reason: "run killed by the CI timeout",
      wasStale: true,
      forced: false,
      lock: lock(),
    };
    assert.equal(LockBreakRecordSchema.parse(record).lock.step, "publish version");
    assert.equal(LockBreakRecordSchema.safeParse({ ...record, reason: "" }).success, false);
  });
});

describe("error messages", () => {
  test("LockHeldError on a live lock: who, which run, what step, and to wait", () => {
    const error = new LockHeldError(table, lock(), live);
    assert.equal(error.name, "LockHeldError");
    assert.equal(error.stale, false);
    assert.match(
      error.message,
      /^Cannot take the deploy lock of tenant-instance-management in bbws-deployments-sit: /,
    );
    for (const part of [
      "alice@build-01",
      "20250301-sit-promote-a1b2",
      "promote lock",
      'step "publish version"',
      "since 2025-03-01T10:00:00.000Z",
      "its lease runs until",
      "wait for it to finish",
      '--break-lock --reason "..." --force',
    ]) {
      assert.ok(error.message.includes(part), `${part} in: ${error.message}`);
    }
    assert.ok(!error.message.startsWith("Error"));
  });

  test("LockHeldError on a stale lock: says stale and how to break it", () => {
    const error = new LockHeldError(table, lock(), late);
    assert.equal(error.stale, true);
    assert.match(error.message, /so the lock is stale\./);
    assert.match(error.message, /probably killed at step "publish version"/);
    assert.match(error.message, /--break-lock --reason "\.\.\."/);
    assert.doesNotMatch(error.message, /--force/);
  });

  test("LockLostError names the breaker and the reason", () => {
    const broken = lock();
    const error = new LockLostError({
      table,
      lock: broken,
      action: 'record step "move alias"',
      current: null,
      breakRecord: {
        PK: "LOCKBREAK#tenant-instance-management",
        SK: late.toISOString(),
        service: "tenant-instance-management",
        brokenAt: late.toISOString(),
        by: "bob@laptop",
        reason: "run killed",
        wasStale: true,
        forced: false,
        lock: broken,
      },
      now: late,
    });
    assert.equal(
      error.message,
      "Run 20250301-sit-promote-a1b2 lost the deploy lock of tenant-instance-management in bbws-deployments-sit " +
        'and could not record step "move alias": bob@laptop broke it at 2025-03-01T10:10:30.000Z (reason: "run ' +
        'killed"). No run holds it now. Stop this run without moving the alias further, and check the alias ' +
        '(this run had reached step "publish version") before anyone starts again.',
    );
  });

  test("BreakLockRefusedError: each refusal says what to do", () => {
    const noReason = new BreakLockRefusedError({
      service: "access-management",
      table,
      refusal: "no-reason",
      lock: null,
      now: live,
    });
    assert.match(noReason.message, /a break needs a reason, and none was given\. Pass --reason/);
    const liveLock = new BreakLockRefusedError({
      service: "tenant-instance-management",
      table,
      refusal: "live",
      lock: lock(),
      now: live,
    });
    assert.match(liveLock.message, /the lock is live\. alice@build-01 holds/);
    assert.match(liveLock.message, /pass --force as well\.$/);
  });
});
