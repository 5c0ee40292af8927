import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentRecord, Expected } from "../../lib/checks/expected.ts";
import {
  type FunctionState,
  judgeAlias,
  judgeBackupAlias,
  judgeCodeShaAgainstSource,
  judgeConfiguration,
  previousVersion,
  type VersionInfo,
} from "../../lib/checks/lambda.ts";

const fn = "bbws-tenant-instance-management-sit";

function version(n: number, appVersion: string, codeSha256 = `sha-${appVersion}`): VersionInfo {
  return {
    functionVersion: String(n),
    appVersion,
    codeSha256,
    lastModified: `2026-11-2${n}T06:00:00.000+0000`,
    state: "Active",
    lastUpdateStatus: "Successful",
  };
}

const v2 = version(2, "1.3.0");
const v3 = version(3, "1.4.0");
const v4 = version(4, "1.5.0");

function state(overrides: Partial<FunctionState> = {}): FunctionState {
  return {
    functionName: fn,
    aliasName: "latest-sit",
    latest: { ...v4, functionVersion: "$LATEST" },
    aliased: v4,
    routing: {},
    aliases: [
      { name: "latest-sit", functionVersion: "4" },
      { name: "backup-sit-v3", functionVersion: "3" },
    ],
    versions: [v2, v3, v4],
    ...overrides,
  };
}

function record(functionVersion: string, deployedAt: string): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${fn}`,
    SK: deployedAt,
    functionName: fn,
    functionVersion,
    appVersion: "1.5.0",
    codeSha256: "sha",
    deployedAt,
  };
}

const byVersion = (functionVersion: string): Expected => ({
  by: "lambda-version",
  functionVersion,
  source: "HARNESS_EXPECTED_VERSION",
});
const byApp = (appVersion: string): Expected => ({
  by: "app-version",
  appVersion,
  source: "SSM /bbws/access/sit/deployed-version",
});

describe("judgeConfiguration", () => {
  test("Active, successful, $LATEST code behind the alias passes", () => {
    const finding = judgeConfiguration(state());
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fn} is Active; version 4 (app 1.5.0, CodeSha256 sha-1.5.0, modified ${v4.lastModified}) carries the uploaded code.`,
    );
  });

  test("an Unknown last-update status is accepted (older functions do not report it)", () => {
    const finding = judgeConfiguration(state({ latest: { ...v4, lastUpdateStatus: "Unknown" } }));
    assert.equal(finding.status, "passed");
  });

  test("every problem is listed at once", () => {
    const finding = judgeConfiguration(
      state({
        latest: { ...v4, state: "Pending", lastUpdateStatus: "Failed", codeSha256: "sha-new" },
        aliased: { ...v4, state: "Inactive" },
      }),
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn}: $LATEST is in state Pending, not Active; version 4 is in state Inactive, not Active; the last update of ${fn} is Failed, not Successful; the uploaded code ($LATEST CodeSha256 sha-new) is not the code behind latest-sit (version 4, sha-1.5.0), so the alias does not serve the last update. Check the deployment step that updates and publishes the function.`,
    );
  });

  test("an update that was never published fails on the code SHA alone", () => {
    const finding = judgeConfiguration(state({ latest: { ...v4, codeSha256: "sha-unpublished" } }));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /so the alias does not serve the last update/);
    assert.doesNotMatch(finding.reason, /not Active/);
  });
});

describe("judgeAlias", () => {
  test("the alias on the expected Lambda version passes", () => {
    const finding = judgeAlias(state(), byVersion("4"));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "latest-sit of bbws-tenant-instance-management-sit points at version 4 (app 1.5.0), the expected version 4 (from HARNESS_EXPECTED_VERSION).",
    );
  });

  test("the expected app version matches with or without a leading v in the Description", () => {
    assert.equal(judgeAlias(state(), byApp("1.5.0")).status, "passed");
    assert.equal(
      judgeAlias(state({ aliased: { ...v4, appVersion: "v1.5.0" } }), byApp("1.5.0")).status,
      "passed",
    );
  });

  test("another version fails, naming both", () => {
    const finding = judgeAlias(state({ aliased: v3 }), byApp("1.7.0"));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /points at version 3 \(app 1\.4\.0\), not the expected app version 1\.7\.0/);
    assert.match(finding.reason, /Move the alias to the deployed version or roll back\.$/);
  });

  test("a canary split left over fails even on the expected version", () => {
    const finding = judgeAlias(state({ routing: { "5": 0.1 } }), byVersion("4"));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `latest-sit of ${fn} points at the expected version 4 but still routes 10% to version 5: the traffic shift did not finish. Complete or roll back the canary.`,
    );
  });

  test("nothing expected is inconclusive", () => {
    const expected: Expected = { by: "unknown", source: "neither HARNESS_EXPECTED_VERSION, ..." };
    const finding = judgeAlias(state(), expected);
    assert.equal(finding.status, "inconclusive");
    assert.match(finding.reason, /but there is no expected version to compare it with/);
    assert.match(finding.reason, /Set HARNESS_EXPECTED_VERSION to what was deployed\.$/);
  });
});

describe("previousVersion", () => {
  test("the previous deployment record when the newest record is the current version", () => {
    const records = [record("4", "2026-11-22T06:00:00Z"), record("2", "2026-11-20T06:00:00Z")];
    assert.deepEqual(previousVersion(state(), records), {
      version: "2",
      source: "the previous deployment record (2026-11-20T06:00:00Z)",
    });
  });

  test("the highest published version below the current one without records", () => {
    assert.deepEqual(previousVersion(state(), []), {
      version: "3",
      source: "the highest published version below 4",
    });
  });

  test("versions compare as numbers, not strings (9 < 10)", () => {
    const versions = [version(9, "1.0.0"), version(10, "1.1.0")];
    const s = state({ aliased: version(10, "1.1.0"), versions });
    assert.equal(previousVersion(s, []).version, "9");
  });

  test("records whose newest is not the current version fall back to the published versions", () => {
    const records = [record("5", "2026-11-23T06:00:00Z"), record("2", "2026-11-20T06:00:00Z")];
    assert.equal(previousVersion(state(), records).version, "3");
  });

  test("only the current version's record falls back to the published versions", () => {
    assert.equal(previousVersion(state(), [record("4", "2026-11-22T06:00:00Z")]).version, "3");
  });

  test("no older version", () => {
    assert.deepEqual(
      previousVersion(state({ aliased: version(1, "1.0.0"), versions: [version(1, "1.0.0")] }), []),
      {
        version: null,
        source: "no version older than 1",
      },
    );
  });
});

describe("judgeBackupAlias", () => {
  const previous = { version: "3", source: "the highest published version below 4" };

  test("a backup alias on the version served before passes", () => {
    const finding = judgeBackupAlias(state(), "backup-", previous);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `Backup alias backup-sit-v3 of ${fn} points at version 3, the version served before (the highest published version below 4).`,
    );
  });

  test("a backup alias missing fails with what to create", () => {
    const finding = judgeBackupAlias(
      state({ aliases: [{ name: "latest-sit", functionVersion: "4" }] }),
      "backup-",
      previous,
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn} has no backup-* alias at all; none points at version 3, the version served before (the highest published version below 4), so a rollback has no target. Create backup-<env>-v3 before moving latest-sit.`,
    );
  });

  test("a backup alias on another version fails, listing what is there", () => {
    const aliases = [{ name: "backup-sit-v2", functionVersion: "2" }];
    const finding = judgeBackupAlias(state({ aliases }), "backup-", previous);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /has only backup-sit-v2 -> 2; none points at version 3/);
  });

  test("an alias outside the prefix does not count", () => {
    const aliases = [{ name: "rollback-sit-v3", functionVersion: "3" }];
    assert.equal(judgeBackupAlias(state({ aliases }), "backup-", previous).status, "failed");
  });

  test("no older version is inconclusive", () => {
    const finding = judgeBackupAlias(state(), "backup-", {
      version: null,
      source: "no version older than 4",
    });
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `${fn} has no version older than 4 (no version older than 4), so there is nothing a backup alias should point at.`,
    );
  });
});

describe("judgeCodeShaAgainstSource", () => {
  const devName = "bbws-tenant-instance-management-dev";
  const source = (overrides: Partial<FunctionState> = {}) =>
    state({ functionName: devName, aliasName: "latest-dev", ...overrides });

  test("the same CodeSha256 as the source alias passes", () => {
    const finding = judgeCodeShaAgainstSource(state(), source(), "DEV");
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fn} version 4 has CodeSha256 sha-1.5.0, the same as DEV's latest-dev (version 4).`,
    );
  });

  test("a source alias that moved on is compared through the source version of the same app version", () => {
    const v5 = version(5, "1.6.0");
    const finding = judgeCodeShaAgainstSource(
      state(),
      source({ aliased: v5, versions: [v3, v4, v5] }),
      "DEV",
    );
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      /the same as DEV version 4 \(same app version; latest-dev has moved on\)\.$/,
    );
  });

  test("another CodeSha256 for the same app version fails", () => {
    const finding = judgeCodeShaAgainstSource(
      state(),
      source({ aliased: version(4, "1.5.0", "sha-rebuilt") }),
      "DEV",
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn} version 4 (app 1.5.0) has CodeSha256 sha-1.5.0, but DEV's latest-dev (version 4) (app 1.5.0) has sha-rebuilt: the promoted package is not the one verified in DEV. Promote the exact DEV package.`,
    );
  });

  test("the CodeSha256 of another app version fails against the source alias", () => {
    const finding = judgeCodeShaAgainstSource(state(), source({ aliased: v3, versions: [v2, v3] }), "DEV");
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /has CodeSha256 sha-1\.5\.0, but DEV's latest-dev \(version 3\) \(app 1\.4\.0\) has sha-1\.4\.0/,
    );
  });

  test("the newest source version of the app version is the reference", () => {
    const v5 = version(5, "1.5.0", "sha-1.5.0");
    const v6 = version(6, "1.6.0");
    const versions = [version(4, "1.5.0", "sha-old-build"), v5, v6];
    const finding = judgeCodeShaAgainstSource(state(), source({ aliased: v6, versions }), "DEV");
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /DEV version 5/);
  });
});
