import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { awaitRecoveryHandover } from "../../lib/checks/recovery-handover.ts";
import { type LatestRollback, recoveryWindowsKey } from "../../lib/checks/rollback.ts";
import type { RollbackRecord } from "../../lib/checks/rollback-record.ts";

const dir = mkdtempSync(join(tmpdir(), "handover-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const rollback: LatestRollback = {
  table: "bbws-deployments-sit",
  serviceId: "tenant-instance-management",
  envId: "sit",
  recorded: { record: { SK: "2026-12-02T06:00:00.000Z" } as unknown as RollbackRecord },
};

const window = {
  functionName: "bbws-tenant-instance-management-sit",
  target: { kind: "canary", functionName: "bbws-tenant-instance-management-sit", version: "3" },
  startedAt: Date.UTC(2026, 11, 2, 6, 0, 0),
  rules: [{ id: "errors-recovered", itemIds: ["tenant-deploy/9.4/errors-recovered"] }],
  skipped: [],
  baseline: { valueMs: null, source: "none" },
  decision: {
    kind: "pass",
    at: 0,
    elapsedMs: 5000,
    polls: 5,
    reason: "No threshold crossed.",
    itemIds: [],
    evidence: { errors: [], invocations: [], throttles: [], duration: {} },
  },
  polls: 5,
  traffic: { ratePerMinute: 0 },
};

function handover(name: string, body: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

const base = { key: recoveryWindowsKey(rollback), watchedBy: "npm run rollback (run r1)", writtenAt: "now" };

describe("awaitRecoveryHandover", () => {
  test("the windows of this rollback, with who watched them", async () => {
    const got = await awaitRecoveryHandover(
      handover("ok.json", { ...base, windows: [window] }),
      rollback,
      1_000,
    );
    assert.ok("windows" in got, JSON.stringify(got));
    assert.equal(got.windows.length, 1);
    assert.equal(got.windows[0]?.watchedBy, "npm run rollback (run r1)");
  });

  test("waits for a file the command is still writing", async () => {
    const file = join(dir, "late.json");
    setTimeout(() => writeFileSync(file, JSON.stringify({ ...base, windows: [window] })), 150);
    const got = await awaitRecoveryHandover(file, rollback, 2_000, 50);
    assert.ok("windows" in got, JSON.stringify(got));
  });

  test("no file in time, another rollback's window, a command that could not watch, or junk: a problem, never windows", async () => {
    const missing = await awaitRecoveryHandover(join(dir, "never.json"), rollback, 120, 40);
    assert.match(
      "problem" in missing ? missing.problem : "",
      /no recovery window was handed over .* within 0 s/,
    );
    const other = await awaitRecoveryHandover(
      handover("other.json", {
        ...base,
        key: "rollback|sit|tenant-instance-management|older",
        windows: [window],
      }),
      rollback,
      1_000,
    );
    assert.match("problem" in other ? other.problem : "", /holds the window of another rollback/);
    const failed = await awaitRecoveryHandover(
      handover("failed.json", { ...base, problem: "CloudWatch did not answer" }),
      rollback,
      1_000,
    );
    assert.match(
      "problem" in failed ? failed.problem : "",
      /could not watch the recovery window: CloudWatch did not answer/,
    );
    const junk = await awaitRecoveryHandover(
      handover("junk.json", { ...base, windows: [{ functionName: 3 }] }),
      rollback,
      1_000,
    );
    assert.match("problem" in junk ? junk.problem : "", /is not a recovery handover/);
  });
});
