import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FunctionState } from "../../lib/checks/lambda.ts";
import { judgeSsmDeployedVersion } from "../../lib/checks/ssm.ts";
import { functionState, versionInfo } from "./lambda-state.ts";

const parameter = "/bbws-access/prod/deployed-version";

function state(functionName: string, appVersion: string): FunctionState {
  return functionState(functionName, "latest-prod", {
    aliased: versionInfo({ functionVersion: "7", appVersion }),
  });
}

const roles = (appVersion: string) => state("bbws-access-prod-lambda-roles", appVersion);
const users = (appVersion: string) => state("bbws-access-prod-lambda-users", appVersion);

describe("judgeSsmDeployedVersion", () => {
  test("the parameter names the one app version behind every alias: passed", () => {
    const finding = judgeSsmDeployedVersion(parameter, "1.3.0", [roles("1.3.0"), users("1.3.0")]);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `SSM ${parameter} names 1.3.0, the app version behind every alias.`);
    assert.deepEqual(finding.evidence, { parameter, deployed: "1.3.0" });
  });

  test("a leading v in a version's Description is not a difference", () => {
    const finding = judgeSsmDeployedVersion(parameter, "1.3.0", [roles("v1.3.0"), users("1.3.0")]);
    assert.equal(finding.status, "passed");
  });

  test("a missing parameter fails, saying so", () => {
    const finding = judgeSsmDeployedVersion(parameter, null, [roles("1.3.0")]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `SSM ${parameter} names nothing (parameter missing), but the aliases serve 1.3.0. Update the parameter with the promoted version, or move the aliases.`,
    );
  });

  test("a parameter left on the previous version fails", () => {
    const finding = judgeSsmDeployedVersion(parameter, "1.2.0", [roles("1.3.0"), users("1.3.0")]);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `SSM ${parameter} names 1.2.0, but the aliases serve 1.3.0. Update the parameter with the promoted version, or move the aliases.`,
    );
    assert.deepEqual(finding.evidence, { parameter, deployed: "1.2.0", behind: ["1.3.0"] });
  });

  test("aliases on different app versions fail even when one of them matches the parameter", () => {
    const finding = judgeSsmDeployedVersion(parameter, "1.3.0", [roles("1.3.0"), users("1.2.0")]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /but the aliases serve 1\.3\.0, 1\.2\.0\./);
  });

  test("no alias read: inconclusive, nothing to compare the parameter with", () => {
    const finding = judgeSsmDeployedVersion(parameter, "1.3.0", []);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `No alias of the service was read, so there is no version SSM ${parameter} (1.3.0) should name.`,
    );
    assert.match(judgeSsmDeployedVersion(parameter, null, []).reason, /\(missing\) should name/);
  });
});
