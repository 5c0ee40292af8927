import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CheckConfigError } from "../../lib/checks/errors.ts";
import {
  type DeploymentRecord,
  describeExpected,
  type Expected,
  expectedFrom,
  expectedFromVariable,
  matchesExpected,
} from "../../lib/checks/expected.ts";

const fn = "bbws-tenant-instance-management-sit";
const table = "bbws-deployments-sit";

function record(functionVersion: string, deployedAt: string, appVersion = "1.5.0"): DeploymentRecord {
  return {
    PK: `DEPLOYMENT#${fn}`,
    SK: `${deployedAt}#${functionVersion}`,
    functionName: fn,
    functionVersion,
    appVersion,
    codeSha256: "sha",
    deployedAt,
  };
}

describe("expectedFromVariable", () => {
  test("unset or blank expects nothing from the variable", () => {
    assert.equal(expectedFromVariable(undefined), null);
    assert.equal(expectedFromVariable(""), null);
    assert.equal(expectedFromVariable("   "), null);
  });

  test("a number is a Lambda version", () => {
    assert.deepEqual(expectedFromVariable("42"), {
      by: "lambda-version",
      functionVersion: "42",
      source: "HARNESS_EXPECTED_VERSION",
    });
  });

  test("a semantic version is an app version, with or without v, trimmed, pre-release kept", () => {
    for (const [raw, appVersion] of [
      ["1.5.0", "1.5.0"],
      ["v1.5.0", "1.5.0"],
      [" 1.5.0 ", "1.5.0"],
      ["1.5.0-rc.1", "1.5.0-rc.1"],
    ] as const) {
      assert.deepEqual(expectedFromVariable(raw), {
        by: "app-version",
        appVersion,
        source: "HARNESS_EXPECTED_VERSION",
      });
    }
  });

  test("anything else is a config error that says what to set", () => {
    for (const raw of ["latest", "1.5", "v42", "1.5.0.1", "$LATEST"]) {
      assert.throws(
        () => expectedFromVariable(raw),
        (error: unknown) => {
          assert.ok(error instanceof CheckConfigError);
          assert.equal(error.variable, "HARNESS_EXPECTED_VERSION");
          assert.equal(
            error.message,
            `HARNESS_EXPECTED_VERSION=${JSON.stringify(raw)} cannot be used: must be a Lambda version number (42) or an app version (1.5.0 or v1.5.0). Set it to what the pipeline deployed, or unset it to use the newest deployment record.`,
          );
          return true;
        },
      );
    }
  });
});

describe("expectedFrom", () => {
  const records = [record("4", "2026-11-22T06:00:00Z"), record("3", "2026-11-21T06:00:00Z", "1.4.0")];
  const ssm = { parameter: "/bbws/access/sit/deployed-version", version: "1.3.0" };

  test("the variable wins over records and SSM", () => {
    const expected = expectedFrom({ variable: "1.7.0", deploymentsTable: table, records, ssm });
    assert.deepEqual(expected, {
      by: "app-version",
      appVersion: "1.7.0",
      source: "HARNESS_EXPECTED_VERSION",
    });
  });

  test("a malformed variable throws even when records could answer", () => {
    assert.throws(
      () => expectedFrom({ variable: "latest", deploymentsTable: table, records, ssm }),
      CheckConfigError,
    );
  });

  test("else the newest deployment record, by Lambda version", () => {
    assert.deepEqual(expectedFrom({ variable: undefined, deploymentsTable: table, records, ssm }), {
      by: "lambda-version",
      functionVersion: "4",
      source: "the newest record in bbws-deployments-sit (2026-11-22T06:00:00Z, app version 1.5.0)",
    });
  });

  test("else the SSM deployed version", () => {
    assert.deepEqual(expectedFrom({ variable: "", deploymentsTable: null, records: [], ssm }), {
      by: "app-version",
      appVersion: "1.3.0",
      source: "SSM /bbws/access/sit/deployed-version",
    });
    assert.equal(
      expectedFrom({ variable: undefined, deploymentsTable: table, records: [], ssm }).by,
      "app-version",
    );
  });

  test("nothing to go by: no records, SSM not read or the parameter missing", () => {
    const unknown: Expected = {
      by: "unknown",
      source: "neither HARNESS_EXPECTED_VERSION, a deployment record nor an SSM deployed-version parameter",
    };
    assert.deepEqual(
      expectedFrom({ variable: undefined, deploymentsTable: table, records: [], ssm: null }),
      unknown,
    );
    assert.deepEqual(
      expectedFrom({
        variable: undefined,
        deploymentsTable: null,
        records: [],
        ssm: { parameter: ssm.parameter, version: null },
      }),
      unknown,
    );
  });
});

describe("matchesExpected", () => {
  const deployed = { functionVersion: "4", appVersion: "v1.5.0" };

  test("a Lambda version compares the version number only", () => {
    assert.equal(
      matchesExpected({ by: "lambda-version", functionVersion: "4", source: "x" }, deployed),
      true,
    );
    assert.equal(
      matchesExpected({ by: "lambda-version", functionVersion: "40", source: "x" }, deployed),
      false,
    );
  });

  test("an app version compares the Description without its v", () => {
    assert.equal(matchesExpected({ by: "app-version", appVersion: "1.5.0", source: "x" }, deployed), true);
    assert.equal(matchesExpected({ by: "app-version", appVersion: "1.5.1", source: "x" }, deployed), false);
  });

  test("nothing expected is neither a match nor a mismatch", () => {
    assert.equal(matchesExpected({ by: "unknown", source: "x" }, deployed), null);
  });
});

describe("describeExpected", () => {
  test("names the expectation and where it came from", () => {
    assert.equal(
      describeExpected({ by: "lambda-version", functionVersion: "4", source: "HARNESS_EXPECTED_VERSION" }),
      "version 4 (from HARNESS_EXPECTED_VERSION)",
    );
    assert.equal(
      describeExpected({ by: "app-version", appVersion: "1.5.0", source: "SSM /p" }),
      "app version 1.5.0 (from SSM /p)",
    );
    assert.equal(describeExpected({ by: "unknown", source: "x" }), "no expected version");
  });
});
