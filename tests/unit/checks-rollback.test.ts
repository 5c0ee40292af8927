/** The rollback suite's judges on plain data: the newest rollback record against what the environment serves. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentRecord } from "../../lib/checks/expected.ts";
import type { FunctionState } from "../../lib/checks/lambda.ts";
import {
  judgeAutomaticRollback,
  judgeRecovery,
  judgeRollbackBackupAlias,
  judgeRollbackCode,
  judgeRollbackDuration,
  judgeRollbackRecord,
  judgeRollbackSsm,
  judgeRollbackTarget,
  type LatestRollback,
  type RolledBackFunction,
  recoveryRules,
  recoverySyntheticRate,
  recoveryTiming,
  recoveryWindowsKey,
} from "../../lib/checks/rollback.ts";
import { type RollbackRecord, RollbackRecordSchema } from "../../lib/checks/rollback-record.ts";
import type { FunctionWindow } from "../../lib/checks/window.ts";
import { NO_SYNTHETIC, type ScopedSeries, windowTraffic } from "../../lib/monitor/index.ts";
import { environments, getRunbookItem, services } from "../../runbooks/index.ts";
import { functionState, versionInfo } from "./lambda-state.ts";

const table = "bbws-deployments-sit";
const fnName = "bbws-tenant-instance-management-sit";
const alias = "latest-sit";
const startedAt = "2026-11-22T06:00:00.000Z";
const rolledBackAt = "2026-11-22T06:00:40.000Z";

/** Version 3 (app 1.4.0, sha-3) was deployed first, version 4 (1.5.0, sha-4) after it; the rollback returns to 3. */
const v3 = versionInfo({ functionVersion: "3", appVersion: "1.4.0", codeSha256: "sha-3" });
const v4 = versionInfo({ functionVersion: "4", appVersion: "1.5.0", codeSha256: "sha-4" });

function record(overrides: Partial<RollbackRecord> = {}): RollbackRecord {
  return RollbackRecordSchema.parse({
    PK: "ROLLBACK#tenant-instance-management",
    SK: rolledBackAt,
    schemaVersion: 1,
    service: "tenant-instance-management",
    environment: "sit",
    runId: "rb-1",
    reason: "5xx on POST /tenants after 1.5.0",
    initiator: "erin@bbws.example",
    trigger: "manual",
    emergency: false,
    requested: "previous",
    startedAt,
    rolledBackAt,
    functions: [
      {
        functionName: fnName,
        fromVersion: "4",
        toVersion: "3",
        toAppVersion: "1.4.0",
        toCodeSha256: "sha-3",
        backupAlias: "backup-sit-v3",
      },
    ],
    ssm: null,
    ...overrides,
  });
}

const latest = (
  recorded: LatestRollback["recorded"],
  overrides: Partial<Omit<LatestRollback, "recorded">> = {},
): LatestRollback => ({
  table,
  serviceId: "tenant-instance-management",
  envId: "sit",
  recorded,
  ...overrides,
});

const withRecord = (overrides: Partial<RollbackRecord> = {}) => latest({ record: record(overrides) });

function deployment(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${fnName}`,
    SK: "2026-11-20T10:00:00.000Z",
    functionName: fnName,
    functionVersion: "3",
    appVersion: "1.4.0",
    codeSha256: "sha-3",
    deployedAt: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

/** What the rollback left: the alias on 3 with its backup alias, and the records newest first. */
const ownRecord = deployment({
  SK: rolledBackAt,
  deployedAt: rolledBackAt,
  runId: "rb-1",
  rollback: true,
  reason: "5xx on POST /tenants after 1.5.0",
});
const deployedV4 = deployment({
  SK: "2026-11-21T10:00:00.000Z",
  deployedAt: "2026-11-21T10:00:00.000Z",
  functionVersion: "4",
  appVersion: "1.5.0",
  codeSha256: "sha-4",
});
const deployedV3 = deployment();

function rolledBack(
  stateOverrides: Partial<FunctionState> = {},
  records: readonly DeploymentRecord[] = [ownRecord, deployedV4, deployedV3],
  functionName = fnName,
): RolledBackFunction {
  return {
    functionName,
    state: functionState(functionName, alias, {
      aliased: v3,
      versions: [v3, v4],
      aliases: [
        { name: alias, functionVersion: "3" },
        { name: "backup-sit-v3", functionVersion: "3" },
      ],
      ...stateOverrides,
    }),
    records,
  };
}

const noRecordReason =
  'No rollback of tenant-instance-management is recorded in bbws-deployments-sit (no ROLLBACK#tenant-instance-management item), so there is nothing to verify sit against: this suite checks a rollback that ran. Roll back with `npm run rollback -- --service tenant-instance-management --env sit --reason "<why>"`, which records it and runs this suite.';

describe("every judge without a usable record", () => {
  const judges: Array<[string, (r: LatestRollback) => { status: string; reason: string }]> = [
    ["judgeRollbackRecord", (r) => judgeRollbackRecord(r, [rolledBack()], table)],
    ["judgeRollbackTarget", (r) => judgeRollbackTarget(r, [rolledBack()])],
    ["judgeRollbackBackupAlias", (r) => judgeRollbackBackupAlias(r, [rolledBack()], "backup-")],
    ["judgeRollbackCode", (r) => judgeRollbackCode(r, [rolledBack()], table)],
    ["judgeRollbackSsm", (r) => judgeRollbackSsm(r, "/bbws-access/sit/deployed-version", "v1.4.0")],
    [
      "judgeRollbackDuration",
      (r) => judgeRollbackDuration(r, "access-promotion/4.2/alias-rollback-under-5min", []),
    ],
    ["judgeAutomaticRollback", (r) => judgeAutomaticRollback(r, "tenant-deploy/9.1/x", [rolledBack()])],
    ["judgeRecovery", (r) => judgeRecovery(r, "tenant-deploy/9.4/errors-recovered", [])],
  ];

  for (const [name, judge] of judges) {
    test(`${name}: no record at all fails, saying how to run a rollback`, () => {
      const finding = judge(latest(null));
      assert.equal(finding.status, "failed");
      assert.equal(finding.reason, noRecordReason);
    });

    test(`${name}: an invalid newest record fails with its problem, never an older record`, () => {
      const finding = judge(
        latest({
          problem: "the newest rollback record in bbws-deployments-sit (x) is not valid: reason: Too small",
        }),
      );
      assert.equal(finding.status, "failed");
      assert.match(
        finding.reason,
        /^the newest rollback record in bbws-deployments-sit \(x\) is not valid: reason: Too small\. /,
      );
      assert.match(finding.reason, /npm run rollback -- --service tenant-instance-management --env sit/);
    });
  }

  test("a record of another environment or service fails, naming what it is for", () => {
    const finding = judgeRollbackTarget(withRecord({ environment: "prod", service: "access-management" }), [
      rolledBack(),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /names service access-management and environment prod, not tenant-instance-management in sit/,
    );
  });
});

describe("judgeRollbackRecord", () => {
  test("passed: reason, initiator and versions recorded; the alias serves them; nothing deployed since", () => {
    const finding = judgeRollbackRecord(withRecord(), [rolledBack()], table);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `bbws-deployments-sit records the manual rollback of run rb-1 at ${rolledBackAt} by erin@bbws.example, reason "5xx on POST /tenants after 1.5.0": ${fnName} 4 -> 3 (app 1.4.0). The aliases serve those versions and no deployment came after it.`,
    );
  });

  test("passed without a deployments table (access): no deployment record is asked for", () => {
    assert.equal(judgeRollbackRecord(withRecord(), [rolledBack({}, [])], null).status, "passed");
  });

  test("an emergency is said", () => {
    assert.match(
      judgeRollbackRecord(withRecord({ emergency: true }), [rolledBack()], table).reason,
      /an emergency, without approvals/,
    );
  });

  test("failed: a blank reason or initiator", () => {
    const finding = judgeRollbackRecord(withRecord({ reason: "  ", initiator: " " }), [rolledBack()], table);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /its reason is blank \(runbook 9\.3 refuses a rollback without one\); it names no initiator/,
    );
  });

  test("failed: a stale record of other versions than the alias serves now", () => {
    const finding = judgeRollbackRecord(withRecord(), [rolledBack({ aliased: v4 })], table);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      new RegExp(
        `it moved ${fnName} to version 3, but latest-sit serves version 4 now: the record describes another state`,
      ),
    );
    assert.match(finding.reason, /Verify right after a rollback, or roll back again/);
  });

  test("failed: a deployment after the rollback", () => {
    const later = deployment({
      SK: "2026-11-22T07:00:00.000Z",
      deployedAt: "2026-11-22T07:00:00.000Z",
      functionVersion: "5",
    });
    const finding = judgeRollbackRecord(
      withRecord(),
      [rolledBack({}, [later, ownRecord, deployedV4, deployedV3])],
      table,
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      new RegExp(`${fnName} version 5 was deployed at 2026-11-22T07:00:00.000Z, after it`),
    );
  });

  test("the rollback's own deployment record is not a deployment after it, even written a moment later", () => {
    const own = { ...ownRecord, SK: "2026-11-22T06:00:41.000Z", deployedAt: "2026-11-22T06:00:41.000Z" };
    assert.equal(
      judgeRollbackRecord(withRecord(), [rolledBack({}, [own, deployedV4, deployedV3])], table).status,
      "passed",
    );
  });

  test("failed: the rollback did not record the restored version, so the newest record still names the old one", () => {
    const finding = judgeRollbackRecord(withRecord(), [rolledBack({}, [deployedV4, deployedV3])], table);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /the newest deployment record of .* in bbws-deployments-sit is version 4 \(2026-11-21T10:00:00\.000Z\), not the restored version 3/,
    );
  });

  test("failed: the record moved a function the service does not have", () => {
    const other = {
      ...record().functions[0],
      functionName: "bbws-other-sit",
    } as RollbackRecord["functions"][number];
    const finding = judgeRollbackRecord(
      withRecord({ functions: [...record().functions, other] }),
      [rolledBack()],
      table,
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /it moved bbws-other-sit, which are not functions of tenant-instance-management/,
    );
  });

  test("a partial rollback is recorded fine and says which functions it left out", () => {
    const finding = judgeRollbackRecord(
      withRecord(),
      [rolledBack(), rolledBack({ aliased: v4 }, [], "bbws-access-sit-lambda-roles")],
      table,
    );
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /\(not rolled back: bbws-access-sit-lambda-roles\)/);
  });

  test("inconclusive: no function read", () => {
    assert.equal(judgeRollbackRecord(withRecord(), [], table).status, "inconclusive");
  });
});

describe("judgeRollbackTarget", () => {
  test("passed: the alias is on the target version without a split", () => {
    const finding = judgeRollbackTarget(withRecord(), [rolledBack()]);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fnName}: latest-sit points at version 3 (app 1.4.0), where the rollback of run rb-1 at ${rolledBackAt} moved it from version 4, with no traffic split.`,
    );
  });

  test("failed: the alias points at another version", () => {
    const finding = judgeRollbackTarget(withRecord(), [rolledBack({ aliased: v4 })]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /latest-sit points at version 4 \(app 1\.5\.0\), not version 3 \(app 1\.4\.0\) the rollback moved it to .* --target 3`\.$/,
    );
  });

  test("failed: a traffic split is left", () => {
    const finding = judgeRollbackTarget(withRecord(), [rolledBack({ routing: { "4": 0.1 } })]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /latest-sit still routes 10% to version 4: a traffic split was left behind/);
  });

  test("failed: the version is published as another app version than recorded", () => {
    const finding = judgeRollbackTarget(withRecord(), [
      rolledBack({ aliased: { ...v3, appVersion: "1.4.1" } }),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /version 3 is published as app 1\.4\.1, but the rollback recorded app 1\.4\.0/,
    );
  });

  test("a partial rollback: the left-out function is not judged, unless every function must be rolled back", () => {
    const left = rolledBack({ aliased: v4 }, [], "bbws-access-sit-lambda-roles");
    assert.equal(judgeRollbackTarget(withRecord(), [rolledBack(), left]).status, "passed");
    const all = judgeRollbackTarget(withRecord(), [rolledBack(), left], { requireAll: true });
    assert.equal(all.status, "failed");
    assert.match(
      all.reason,
      /moved only .*; bbws-access-sit-lambda-roles still serves what it served before, so not every function .* --services all`\.$/,
    );
  });

  test("inconclusive: no function read, or none the record names", () => {
    assert.equal(judgeRollbackTarget(withRecord(), []).status, "inconclusive");
    assert.equal(
      judgeRollbackTarget(withRecord(), [rolledBack({}, [], "bbws-other-sit")]).status,
      "inconclusive",
    );
  });

  test("each function's evidence is kept", () => {
    const finding = judgeRollbackTarget(withRecord(), [rolledBack()]);
    assert.equal((finding.evidence.functions as unknown[]).length, 1);
  });
});

describe("judgeRollbackBackupAlias", () => {
  test("passed: the backup alias the rollback named still points at the version", () => {
    const finding = judgeRollbackBackupAlias(withRecord(), [rolledBack()], "backup-");
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /backup alias backup-sit-v3 still points at version 3/);
  });

  test("failed: the named backup alias is gone", () => {
    const finding = judgeRollbackBackupAlias(
      withRecord(),
      [rolledBack({ aliases: [{ name: alias, functionVersion: "3" }] })],
      "backup-",
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /backup alias backup-sit-v3, which .* returned to \(version 3\), no longer exists/,
    );
    assert.match(
      finding.reason,
      /aws lambda create-alias --function-name .* --name backup-sit-v3 --function-version 3/,
    );
  });

  test("failed: the named backup alias points elsewhere", () => {
    const aliases = [{ name: "backup-sit-v3", functionVersion: "2" }];
    const finding = judgeRollbackBackupAlias(withRecord(), [rolledBack({ aliases })], "backup-");
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /backup alias backup-sit-v3 points at version 2, but .* returned to version 3/,
    );
  });

  const unnamed = () =>
    record({
      functions: [{ ...record().functions[0], backupAlias: null } as RollbackRecord["functions"][number]],
      requested: "3",
    });

  test("no backup alias named: passed when some backup alias points at the version", () => {
    assert.equal(
      judgeRollbackBackupAlias(latest({ record: unnamed() }), [rolledBack()], "backup-").status,
      "passed",
    );
  });

  test("no backup alias named and none points at the version: failed", () => {
    const aliases = [{ name: "backup-sit-v2", functionVersion: "2" }];
    const finding = judgeRollbackBackupAlias(
      latest({ record: unnamed() }),
      [rolledBack({ aliases })],
      "backup-",
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /returned to version 3 \(target "3"\), which no backup-\* alias names \(backup-sit-v2 -> 2\)/,
    );
  });
});

describe("judgeRollbackCode", () => {
  test("passed: the version carries the CodeSha256 of its original deployment record", () => {
    const finding = judgeRollbackCode(withRecord(), [rolledBack()], table);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fnName} version 3 carries CodeSha256 sha-3, as recorded when it was deployed at 2026-11-20T10:00:00.000Z (bbws-deployments-sit 2026-11-20T10:00:00.000Z).`,
    );
  });

  test("failed: the CodeSha256 differs from its deployment record", () => {
    const finding = judgeRollbackCode(
      withRecord(),
      [rolledBack({}, [ownRecord, deployedV4, { ...deployedV3, codeSha256: "sha-old" }])],
      table,
    );
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /its deployment at 2026-11-20T10:00:00\.000Z was recorded with CodeSha256 sha-old .* but the version carries sha-3\. The bits rolled back to are not the ones verified/,
    );
  });

  test("the rollback's own record is not the deployment's: with only that one, inconclusive", () => {
    const finding = judgeRollbackCode(withRecord(), [rolledBack({}, [ownRecord, deployedV4])], table);
    assert.equal(finding.status, "inconclusive");
    assert.match(
      finding.reason,
      /has no record of the deployment of version 3 \(only the rollback's own, if any\)/,
    );
  });

  test("inconclusive: no deployment records, or a service that keeps none", () => {
    assert.equal(judgeRollbackCode(withRecord(), [rolledBack({}, [])], table).status, "inconclusive");
    assert.equal(judgeRollbackCode(withRecord(), [rolledBack()], null).status, "inconclusive");
  });

  test("failed: the rollback recorded another CodeSha256 than the version carries", () => {
    const functions = [
      { ...record().functions[0], toCodeSha256: "sha-x" } as RollbackRecord["functions"][number],
    ];
    const finding = judgeRollbackCode(latest({ record: record({ functions }) }), [rolledBack()], table);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /the rollback recorded CodeSha256 sha-x for it, but the version carries sha-3/,
    );
  });

  test("failed: the version rolled back to no longer exists", () => {
    const finding = judgeRollbackCode(withRecord(), [rolledBack({ aliased: v4, versions: [v4] })], table);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /has no version 3 any more/);
  });
});

describe("judgeRollbackSsm", () => {
  const parameter = "/bbws-access/sit/deployed-version";
  const accessRecord = (ssm: RollbackRecord["ssm"]) =>
    latest(
      { record: record({ service: "access-management", PK: "ROLLBACK#access-management", ssm }) },
      { serviceId: "access-management" },
    );

  test("passed: SSM holds v<app version> of the version rolled back to, as restored", () => {
    const finding = judgeRollbackSsm(accessRecord({ parameter, value: "v1.4.0" }), parameter, "v1.4.0");
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `SSM ${parameter} holds v1.4.0, the version the rollback of run rb-1 at ${rolledBackAt} returned every alias to.`,
    );
  });

  test("failed: SSM holds another version", () => {
    const finding = judgeRollbackSsm(accessRecord({ parameter, value: "v1.4.0" }), parameter, "v1.5.0");
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /holds v1\.5\.0, not v1\.4\.0, the version the aliases were rolled back to\. Restore it: aws ssm put-parameter --name \/bbws-access\/sit\/deployed-version --value v1\.4\.0/,
    );
  });

  test("failed: the parameter is missing, or the rollback restored none", () => {
    assert.match(
      judgeRollbackSsm(accessRecord({ parameter, value: "v1.4.0" }), parameter, null).reason,
      /deployed-version is missing/,
    );
    assert.match(
      judgeRollbackSsm(accessRecord(null), parameter, "v1.4.0").reason,
      /the rollback record restored no deployed-version parameter/,
    );
  });

  test("failed: the record restored a value that is not the aliases' version", () => {
    const finding = judgeRollbackSsm(accessRecord({ parameter, value: "v1.5.0" }), parameter, "v1.4.0");
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /the rollback restored v1\.5\.0, but moved the aliases to app 1\.4\.0/);
  });

  test("inconclusive: a service without the parameter", () => {
    assert.equal(judgeRollbackSsm(withRecord(), null, null).status, "inconclusive");
  });
});

describe("judgeRollbackDuration", () => {
  const item = "access-promotion/4.2/alias-rollback-under-5min";
  const thresholds = getRunbookItem(item)?.thresholds ?? [];
  const took = (seconds: number) =>
    withRecord({ rolledBackAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString() });

  test("the runbook's limit is 300 s", () => {
    assert.equal(thresholds[0]?.value, 300);
  });

  test("passed under the limit, with the time taken", () => {
    const finding = judgeRollbackDuration(took(40), item, thresholds);
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      /took 40 s from its start \(2026-11-22T06:00:00\.000Z\) until every alias had moved, within the runbook's < 300 s\.$/,
    );
  });

  test("boundary: just under passes, exactly the limit fails (the runbook says under 5 minutes)", () => {
    assert.equal(judgeRollbackDuration(took(299.999), item, thresholds).status, "passed");
    const at = judgeRollbackDuration(took(300), item, thresholds);
    assert.equal(at.status, "failed");
    assert.match(
      at.reason,
      /took 300 s .* not the runbook's < 300 s \(access-promotion\/4\.2\/alias-rollback-under-5min\)\. Find what held it up/,
    );
  });

  test("failed over the limit; the 30-minute item has its own", () => {
    assert.equal(judgeRollbackDuration(took(301), item, thresholds).status, "failed");
    const long = "access-promotion/4.2/rollback-under-30min";
    assert.equal(
      judgeRollbackDuration(took(301), long, getRunbookItem(long)?.thresholds ?? []).status,
      "passed",
    );
    assert.equal(
      judgeRollbackDuration(took(1800), long, getRunbookItem(long)?.thresholds ?? []).status,
      "failed",
    );
  });

  test("failed: the record's times run backwards", () => {
    const finding = judgeRollbackDuration(took(-1), item, thresholds);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /the record's times are wrong/);
  });

  test("inconclusive: an item without a rollback.duration threshold", () => {
    assert.equal(judgeRollbackDuration(took(40), item, []).status, "inconclusive");
  });
});

describe("judgeAutomaticRollback", () => {
  const item = "tenant-deploy/9.1/health-failure-rolls-back";

  test("a manual rollback does not apply, with the reason", () => {
    const finding = judgeAutomaticRollback(withRecord(), item, [rolledBack()]);
    assert.equal(finding.status, "not-applicable");
    assert.equal(
      finding.reason,
      `${item} is a promotion rolling itself back; the newest rollback (run rb-1 at ${rolledBackAt}, reason "5xx on POST /tenants after 1.5.0") was a manual one, which says nothing about it.`,
    );
  });

  test("passed: a promotion's rollback put the alias back on the previous version", () => {
    const finding = judgeAutomaticRollback(withRecord({ trigger: "promotion" }), item, [rolledBack()]);
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      /rolled itself back at .*: latest-sit serves version 3 again instead of 4\.$/,
    );
  });

  test("failed: a promotion's rollback, but the alias is not on the previous version", () => {
    const finding = judgeAutomaticRollback(withRecord({ trigger: "promotion" }), item, [
      rolledBack({ aliased: v4 }),
    ]);
    assert.equal(finding.status, "failed");
  });
});

describe("the recovery window", () => {
  const itemId = "tenant-deploy/9.4/errors-recovered";
  const start = Date.parse(rolledBackAt);
  const noSeries: ScopedSeries = { errors: [], invocations: [], throttles: [], duration: {} };
  const traffic = windowTraffic({
    ratePerMinute: 0,
    mode: "off",
    startedAfterSeconds: null,
    synthetic: NO_SYNTHETIC,
    observedInvocations: 0,
  });
  const { rules } = recoveryRules(services["tenant-instance-management"], environments.sit);
  const window = (decision: FunctionWindow["decision"]): FunctionWindow => ({
    functionName: fnName,
    target: { kind: "function", functionName: fnName },
    startedAt: start,
    rules,
    skipped: [],
    baseline: { valueMs: null, source: "none" },
    decision,
    polls: decision.polls,
    traffic,
  });
  const base = { at: start + 60_000, elapsedMs: 60_000, polls: 6, itemIds: [itemId], evidence: noSeries };

  test("the rules: the items' error rate, per environment and service; none where no item applies", () => {
    assert.deepEqual(
      rules.map((r) => [r.id, r.measure.kind, r.failWhen.comparison, r.failWhen.value]),
      [[itemId, "error-rate-percent", ">=", 10]],
    );
    const access = recoveryRules(services["access-management"], environments.sit).rules;
    assert.deepEqual(
      access.map((r) => [r.id, r.failWhen.value]),
      [["access-promotion/5.3/errors-recovered", 5]],
    );
    assert.deepEqual(recoveryRules(services["access-management"], environments.dev).rules, []);
  });

  test("the timing comes from environments.<env>.rollback; the interval never exceeds the window", () => {
    assert.deepEqual(recoveryTiming(environments.sit), { windowMs: 60_000, intervalMs: 10_000 });
    const short = { ...environments.sit, rollback: { recoveryWindowSeconds: 3, intervalSeconds: 10 } };
    assert.deepEqual(recoveryTiming(short), { windowMs: 3_000, intervalMs: 3_000 });
  });

  test("the window's own traffic is enough to judge an error rate: at least 20 calls, however short the window", () => {
    // 60 s at the default 30 a minute already holds them; a 5 s window needs 240 a minute.
    assert.equal(recoverySyntheticRate(environments.sit), 30);
    const short = { ...environments.sit, rollback: { recoveryWindowSeconds: 5, intervalSeconds: 1 } };
    assert.equal(recoverySyntheticRate(short), 240);
    const busy = {
      ...environments.sit,
      monitoring: { ...environments.sit.monitoring, syntheticPerMinute: 600 },
    };
    assert.equal(recoverySyntheticRate({ ...busy, rollback: short.rollback }), 600);
  });

  test("passed: the window held, said after which rollback", () => {
    const finding = judgeRecovery(withRecord(), itemId, [
      window({ ...base, kind: "pass", reason: "No threshold crossed during the full 60 s window." }),
    ]);
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      new RegExp(`^After the rollback of run rb-1 at ${rolledBackAt}: ${fnName}: No threshold crossed`),
    );
  });

  test("no invocations in the window is inconclusive, never a pass", () => {
    const finding = judgeRecovery(withRecord(), itemId, [
      window({ ...base, kind: "inconclusive", reason: "no invocations in the window." }),
    ]);
    assert.equal(finding.status, "inconclusive");
  });

  test("no window ran: inconclusive", () => {
    assert.equal(judgeRecovery(withRecord(), itemId, []).status, "inconclusive");
  });

  test("failed: the error rate is still over the trigger", () => {
    const breach = {
      ruleId: itemId,
      itemIds: [itemId],
      reason: "error rate 50% >= 10%.",
      onsetAt: start,
      observed: {},
    };
    const finding = judgeRecovery(withRecord(), itemId, [
      window({ ...base, kind: "fail", breach, breaches: [breach], reason: breach.reason }),
    ]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /error rate 50% >= 10%\./);
  });

  test("the windows of one rollback share a key; another rollback has its own", () => {
    assert.equal(recoveryWindowsKey(withRecord()), recoveryWindowsKey(withRecord()));
    assert.notEqual(
      recoveryWindowsKey(withRecord()),
      recoveryWindowsKey(withRecord({ SK: "2026-11-22T07:00:00.000Z" })),
    );
    assert.equal(recoveryWindowsKey(latest(null)), "rollback|sit|tenant-instance-management|none");
  });
});
