import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { checkCiEvidence } from "../../lib/checks/ci-gate.ts";
import type { Threshold } from "../../runbooks/index.ts";

const fixtures = join(import.meta.dirname, "../fixtures-data/ci-evidence");
const folder = (name: string) => join(fixtures, name);

/** The runbook's coverage threshold: ">=" 80 (tenant-deploy 3.1) or ">" 80 (access-promotion 3.1). */
const coverage80 = (comparison: ">=" | ">"): Threshold[] => [
  { metric: "coverage", comparison, value: 80, unit: "percent", zeroTrafficOk: false, sense: "requirement" },
];

describe("checkCiEvidence on the passing folder", () => {
  const dir = folder("passing");

  test("unit tests pass with their counts and file", () => {
    const finding = checkCiEvidence(dir, "unit-tests", []);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `Unit tests passed: 12 tests, 0 failures, 0 errors, 1 skipped (unit-tests.xml in ${dir}).`,
    );
  });

  test("integration tests, type check and SIT final tests pass", () => {
    assert.equal(
      checkCiEvidence(dir, "integration-tests", []).reason,
      `Integration tests passed: 6 tests, 0 failures, 0 errors (integration-tests.xml in ${dir}).`,
    );
    assert.equal(
      checkCiEvidence(dir, "type-check", []).reason,
      `Type check passed: 1 test, 0 failures, 0 errors (type-check.xml in ${dir}).`,
    );
    const sit = checkCiEvidence(dir, "sit-final-tests", []);
    assert.equal(sit.status, "passed");
    assert.match(sit.reason, /^SIT final tests passed: 8 tests, 0 failures, 0 errors \(sit-final-tests\.xml/);
  });

  test("lint passes with no findings", () => {
    const finding = checkCiEvidence(dir, "lint", []);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `Lint passed: no findings in lint.xml in ${dir}.`);
  });

  test("coverage 86.4% passes both >= 80 and > 80", () => {
    for (const comparison of [">=", ">"] as const) {
      const finding = checkCiEvidence(dir, "coverage", coverage80(comparison));
      assert.equal(finding.status, "passed", comparison);
      assert.equal(
        finding.reason,
        `Line coverage is 86.4%, 864 of 1000 lines (coverage.xml in ${dir}), ${comparison === ">=" ? "at least" : "more than"} 80% as required.`,
      );
    }
  });

  test("the security scan passes and names the lower finding that does not block", () => {
    const finding = checkCiEvidence(dir, "security", []);
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `Security scan passed: no result at level error and none of high or critical severity in security.sarif in ${dir} (Bandit, 1 result). 1 lower finding does not block: B311 at src/app/retry.py:22 (note, low).`,
    );
  });
});

describe("checkCiEvidence on the coverage boundaries", () => {
  test("79.9% fails >= 80, says so without rounding up and names the command", () => {
    const dir = folder("coverage-79.9");
    const finding = checkCiEvidence(dir, "coverage", coverage80(">="));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `Line coverage is 79.9%, 799 of 1000 lines (coverage.xml in ${dir}), not at least 80% as the runbook requires. Add unit tests in the service repository and rerun \`pytest --cov=src --cov-report=xml:coverage.xml\`; the harness reads the percent as written and never rounds it up.`,
    );
  });

  test("79.9% fails > 80", () => {
    const finding = checkCiEvidence(folder("coverage-79.9"), "coverage", coverage80(">"));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Line coverage is 79\.9%, 799 of 1000 lines .*, not more than 80% as the runbook requires\./,
    );
  });

  test("exactly 80.0% passes >= 80 (tenant)", () => {
    const dir = folder("coverage-80.0");
    const finding = checkCiEvidence(dir, "coverage", coverage80(">="));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      `Line coverage is 80.0%, 800 of 1000 lines (coverage.xml in ${dir}), at least 80% as required.`,
    );
  });

  test("exactly 80.0% fails > 80 (access)", () => {
    const finding = checkCiEvidence(folder("coverage-80.0"), "coverage", coverage80(">"));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Line coverage is 80\.0%, 800 of 1000 lines .*, not more than 80% as the runbook requires\. Add unit tests/,
    );
  });

  test("without a coverage threshold the item defaults to >= 80", () => {
    const finding = checkCiEvidence(folder("coverage-80.0"), "coverage", []);
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /at least 80% as required\.$/);
  });

  test("only the coverage threshold of the item counts", () => {
    const age: Threshold = {
      metric: "deployment.age",
      comparison: ">",
      value: 86_400,
      unit: "seconds",
      zeroTrafficOk: false,
      sense: "requirement",
    };
    const finding = checkCiEvidence(folder("coverage-80.0"), "coverage", [age, ...coverage80(">")]);
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /not more than 80%/);
  });
});

describe("checkCiEvidence on the failing folders", () => {
  test("failing unit tests name each failing case and the command to rerun", () => {
    const dir = folder("failing-tests");
    const finding = checkCiEvidence(dir, "unit-tests", []);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Unit tests failed: 2 failures and 1 error in 12 tests \(unit-tests\.xml in .*failing-tests\): /,
    );
    assert.match(
      finding.reason,
      /test_park_tenant_sets_status_parked: AssertionError: assert 'ACTIVE' == 'PARKED'/,
    );
    assert.match(
      finding.reason,
      /test_list_instances_paginates\[page_size=100\]: KeyError: 'LastEvaluatedKey'/,
    );
    assert.match(finding.reason, /test_delete_instance_is_idempotent: failed on setup with "botocore/);
    assert.match(
      finding.reason,
      /Fix them in the service repository and rerun `pytest tests\/unit\/ --junitxml=unit-tests\.xml` before promoting\.$/,
    );
  });

  test("failing unit tests leave the other kinds passing", () => {
    const dir = folder("failing-tests");
    for (const kind of ["integration-tests", "lint", "type-check", "security", "sit-final-tests"] as const) {
      assert.equal(checkCiEvidence(dir, kind, []).status, "passed", kind);
    }
    assert.equal(checkCiEvidence(dir, "coverage", coverage80(">=")).status, "passed");
  });

  test("a HIGH finding fails the security scan; the lower ones are named as not blocking", () => {
    const dir = folder("high-severity");
    const finding = checkCiEvidence(dir, "security", []);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `Security scan found 1 blocking result (level error, or high or critical severity) in security.sarif in ${dir} (Bandit): B602 at src/app/export.py:48 (error, high). 2 lower findings do not block: B608 at src/app/audit.py:31 (warning, medium); B311 at src/app/retry.py:22 (note, low). Fix them in the service repository, or suppress a false positive with a justification (# nosec B<id>), and rerun \`bandit -r src/ -f sarif -o security.sarif\`.`,
    );
  });

  test("a missing security.sarif is a missing attestation naming the command", () => {
    const dir = folder("missing-security");
    const finding = checkCiEvidence(dir, "security", []);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `missing attestation: no security.sarif in ${dir}; produce it with \`bandit -r src/ -f sarif -o security.sarif\` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)`,
    );
    assert.equal(checkCiEvidence(dir, "unit-tests", []).status, "passed");
  });

  test("a folder that does not exist is a missing attestation for every kind, said so", () => {
    const dir = folder("does-not-exist");
    const unit = checkCiEvidence(dir, "unit-tests", []);
    assert.equal(unit.status, "failed");
    assert.equal(
      unit.reason,
      `missing attestation: no unit-tests.xml in ${dir} (the folder does not exist); produce it with \`pytest tests/unit/ --junitxml=unit-tests.xml\` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)`,
    );
    const cov = checkCiEvidence(dir, "coverage", coverage80(">"));
    assert.equal(cov.status, "failed");
    assert.match(
      cov.reason,
      /^missing attestation: no coverage\.xml or coverage\.json in .*does-not-exist \(the folder does not exist\); produce it with `pytest --cov=src --cov-report=xml:coverage\.xml`/,
    );
    const lint = checkCiEvidence(dir, "lint", []);
    assert.match(
      lint.reason,
      /^missing attestation: no lint\.xml or lint\.sarif in .*`ruff check src\/ --output-format junit -o lint\.xml`/,
    );
  });
});
