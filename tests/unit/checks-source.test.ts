import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DeployedFunction, deploymentTime } from "../../lib/checks/deployed.ts";
import type { DeploymentRecord } from "../../lib/checks/expected.ts";
import type { VersionInfo } from "../../lib/checks/lambda.ts";
import {
  judgeDeploymentAge,
  judgeIntegrityReference,
  judgeSemverBump,
  parseSemver,
  type SemverBumpInput,
} from "../../lib/checks/source.ts";
import type { Threshold } from "../../runbooks/index.ts";
import { functionState, versionInfo } from "./lambda-state.ts";

const fn = "bbws-tenant-instance-management-dev";
const alias = "latest-dev";
const now = new Date("2026-12-05T12:00:00.000Z");
const hoursBefore = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

/** deployment.age as the runbooks state it: at least 24 h. */
const day: Threshold = {
  metric: "deployment.age",
  comparison: ">=",
  value: 86_400,
  unit: "seconds",
  zeroTrafficOk: false,
  sense: "requirement",
};

function record(functionVersion: string, deployedAt: string): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${fn}`,
    SK: `${deployedAt}#${functionVersion}`,
    functionName: fn,
    functionVersion,
    appVersion: "1.5.0",
    codeSha256: "sha",
    deployedAt,
  };
}

/** A deployed function whose alias serves `aliased`, timed as readDeployedFunctions times it. */
function deployed(aliased: VersionInfo, records: readonly DeploymentRecord[] = []): DeployedFunction {
  return {
    functionName: fn,
    state: functionState(fn, alias, { aliased }),
    expected: { by: "unknown", source: "nothing names the expected version" },
    records,
    ...deploymentTime(aliased, records, now),
  };
}

const deployedHoursAgo = (h: number) => deployed(versionInfo(), [record("4", hoursBefore(h))]);

describe("judgeDeploymentAge", () => {
  test("23 h since the deployment record fails, saying how long it ran and until when to wait", () => {
    const since = hoursBefore(23);
    const finding = judgeDeploymentAge(deployedHoursAgo(23), day, now, true);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn}: version 4 has run for only 23.0 h (since ${since}, from deployment record ${since}#4); the runbook wants 24.0 h before it is promoted. Wait until 2026-12-05T13:00:00.000Z.`,
    );
    assert.equal(finding.evidence.ageSeconds, 23 * 3600);
  });

  test("exactly 24 h passes (at least the threshold)", () => {
    const since = hoursBefore(24);
    const finding = judgeDeploymentAge(deployedHoursAgo(24), day, now, true);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fn}: version 4 has run for 24.0 h (since ${since}, from deployment record ${since}#4), at least the 24.0 h required.`,
    );
  });

  test("26 h passes", () => {
    const finding = judgeDeploymentAge(deployedHoursAgo(26), day, now, true);
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /has run for 26\.0 h .*, at least the 24\.0 h required\.$/);
  });

  test("a record of another version does not count: only LastModified is left, and the record is required", () => {
    const fnNoRecord = deployed(versionInfo({ lastModified: hoursBefore(48) }), [
      record("3", hoursBefore(72)),
    ]);
    assert.equal(fnNoRecord.deployedAtSource, "LastModified of version 4");
    const finding = judgeDeploymentAge(fnNoRecord, day, now, true);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn}: no deployment record for version 4 behind ${alias}, so its deployment time is unknown (LastModified of version 4 is not a deployment). Record the deployment in the deployments table, or promote bits that were deployed through the runbook.`,
    );
  });

  test("without a record requirement (access) LastModified decides the age", () => {
    const old = deployed(versionInfo({ lastModified: hoursBefore(30) }));
    const finding = judgeDeploymentAge(old, day, now, false);
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      /has run for 30\.0 h \(since .*, from LastModified of version 4\), at least/,
    );

    const fresh = judgeDeploymentAge(
      deployed(versionInfo({ lastModified: hoursBefore(2) })),
      day,
      now,
      false,
    );
    assert.equal(fresh.status, "failed");
    assert.match(
      fresh.reason,
      /has run for only 2\.0 h .*from LastModified of version 4\); the runbook wants 24\.0 h/,
    );
  });

  test("a deployment time in the future (clock skew) reads as 0 h, not a negative age", () => {
    const finding = judgeDeploymentAge(
      deployed(versionInfo(), [record("4", hoursBefore(-1))]),
      day,
      now,
      true,
    );
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /has run for only 0\.0 h/);
  });
});

describe("judgeIntegrityReference", () => {
  test("an alias on $LATEST has no fixed bits to promote", () => {
    const finding = judgeIntegrityReference(deployed(versionInfo({ functionVersion: "$LATEST" })));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `${fn}: ${alias} points at $LATEST, not a published version, so there are no fixed bits to promote. Publish a version and point the alias at it.`,
    );
  });

  test("a non-numeric or empty version fails too", () => {
    const named = judgeIntegrityReference(deployed(versionInfo({ functionVersion: "v4" })));
    assert.equal(named.status, "failed");
    assert.match(named.reason, /points at v4, not a published version/);
    const empty = judgeIntegrityReference(deployed(versionInfo({ functionVersion: "" })));
    assert.equal(empty.status, "failed");
    assert.match(empty.reason, /points at nothing, not a published version/);
  });

  test("an empty CodeSha256 is inconclusive: no integrity reference", () => {
    const finding = judgeIntegrityReference(deployed(versionInfo({ codeSha256: "" })));
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `${fn}: version 4 behind ${alias} reports no CodeSha256, so the promotion has no integrity reference.`,
    );
  });

  test("a published version with a CodeSha256 is the reference", () => {
    const finding = judgeIntegrityReference(deployed(versionInfo({ codeSha256: "abc123=" })));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `${fn}: ${alias} -> version 4 (1.5.0), CodeSha256 abc123=: the reference the target's published version must match.`,
    );
    assert.deepEqual(finding.evidence, {
      functionName: fn,
      alias,
      functionVersion: "4",
      appVersion: "1.5.0",
      codeSha256: "abc123=",
    });
  });

  test("a version without an app version says so", () => {
    const finding = judgeIntegrityReference(deployed(versionInfo({ appVersion: "" })));
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /-> version 4 \(no app version\), CodeSha256 sha:/);
  });
});

describe("parseSemver", () => {
  test("vX.Y.Z parses to numbers", () => {
    assert.deepEqual(parseSemver("v1.4.0"), [1, 4, 0]);
    assert.deepEqual(parseSemver("v10.20.30"), [10, 20, 30]);
    assert.deepEqual(parseSemver(" v1.4.0\n"), [1, 4, 0]);
  });

  test("anything else is null", () => {
    for (const value of ["1.4.0", "v1.4", "v1.4.0-rc.1", "V1.4.0", "", "latest", "v1.4.0.1"]) {
      assert.equal(parseSemver(value), null, value);
    }
  });
});

describe("judgeSemverBump", () => {
  const sourceParameter = "/bbws/access/sit/deployed-version";
  const targetParameter = "/bbws/access/prod/deployed-version";
  const input = (over: Partial<SemverBumpInput> = {}): SemverBumpInput => ({
    sourceParameter,
    sourceValue: "v1.5.0",
    targetParameter,
    targetValue: "v1.4.2",
    behindAliases: ["1.5.0", "1.5.0"],
    ...over,
  });

  test("a missing source parameter fails: nothing to promote", () => {
    const finding = judgeSemverBump(input({ sourceValue: null }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `SSM ${sourceParameter} is missing, so there is no version to promote. The source's deployment writes it (access runbook 3.2.4).`,
    );
  });

  test("a source value that is not vX.Y.Z fails quoting it", () => {
    const finding = judgeSemverBump(input({ sourceValue: "1.5.0" }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `SSM ${sourceParameter} holds "1.5.0", not a semantic version vX.Y.Z (access runbook 6.1).`,
    );
  });

  test("aliases serving another version fail: what is promoted is not what was verified", () => {
    const finding = judgeSemverBump(input({ behindAliases: ["1.4.9"] }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `SSM ${sourceParameter} names v1.5.0, but the source's aliases serve v1.4.9: the version to promote is not the one that was verified. Update the parameter or the aliases.`,
    );
  });

  test("aliases serving two versions, or none, fail naming what they serve", () => {
    const split = judgeSemverBump(input({ behindAliases: ["1.5.0", "v1.4.9"] }));
    assert.equal(split.status, "failed");
    assert.match(split.reason, /but the source's aliases serve v1\.5\.0, v1\.4\.9: /);
    const none = judgeSemverBump(input({ behindAliases: [] }));
    assert.equal(none.status, "failed");
    assert.match(none.reason, /but the source's aliases serve nothing: /);
  });

  test("the same version as the target's is not newer", () => {
    const finding = judgeSemverBump(input({ targetValue: "v1.5.0" }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `v1.5.0 (${sourceParameter}) is not newer than v1.5.0 (${targetParameter}): nothing new to promote, or the versions went backwards. Bump the version (access runbook 6.1).`,
    );
  });

  test("an older version than the target's fails, compared by number not text", () => {
    const older = judgeSemverBump(input({ targetValue: "v1.10.0" }));
    assert.equal(older.status, "failed");
    assert.match(older.reason, /^v1\.5\.0 \(.*\) is not newer than v1\.10\.0 \(/);
    const major = judgeSemverBump(input({ targetValue: "v2.0.0" }));
    assert.equal(major.status, "failed");
  });

  test("a target without a deployed version passes: the first promotion", () => {
    const finding = judgeSemverBump(input({ targetValue: null }));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `v1.5.0 is a semantic version, served by every alias; ${targetParameter} is not set yet (first promotion).`,
    );
  });

  test("a newer version served by every alias passes", () => {
    const finding = judgeSemverBump(input());
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `v1.5.0 is served by every alias of the source and is newer than v1.4.2 in ${targetParameter}.`,
    );
    assert.equal(
      judgeSemverBump(input({ sourceValue: "v1.10.0", behindAliases: ["1.10.0"], targetValue: "v1.9.9" }))
        .status,
      "passed",
    );
  });
});
