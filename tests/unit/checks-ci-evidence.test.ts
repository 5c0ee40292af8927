import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  CI_EVIDENCE_FILES,
  type CoverageReport,
  type EvidenceKind,
  type EvidenceRead,
  type JUnitReport,
  judgeCoverage,
  judgeLintReport,
  judgeSecurityScan,
  judgeTestReport,
  locateEvidence,
  missingAttestationReason,
  parseCoberturaXml,
  parseCoverageJson,
  parseJUnitXml,
  parseSarif,
  readCoverageReport,
  readLintReport,
  readSecurityScan,
  readTestReport,
  type SarifFinding,
  type SarifReport,
  severityOfScore,
  truncatePercent,
} from "../../lib/checks/ci-evidence.ts";
import { ciEvidenceKinds } from "../../runbooks/index.ts";

const fixtures = join(import.meta.dirname, "../fixtures-data/ci-evidence");
const folder = (name: string) => join(fixtures, name);
const sample = (name: string) => readFileSync(join(fixtures, "samples", name), "utf8");

function ok<T>(parsed: { ok: true; report: T } | { ok: false; problem: string }): T {
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.problem);
  return parsed.report;
}

function problem(parsed: { ok: true } | { ok: false; problem: string }): string {
  assert.ok(!parsed.ok, "expected a problem, got a report");
  return parsed.problem;
}

/** An EvidenceRead of plain data, as if the kind's first file was read from /ci. */
function read<T>(kind: EvidenceKind, report: T, which = 0): EvidenceRead<T> {
  const spec = CI_EVIDENCE_FILES[kind].files[which];
  assert.ok(spec);
  return {
    status: "read",
    kind,
    dir: "/ci",
    file: spec.name,
    path: `/ci/${spec.name}`,
    format: spec.format,
    command: spec.command,
    report,
  };
}

const junit = (over: Partial<JUnitReport> = {}): JUnitReport => ({
  format: "junit",
  suites: 1,
  tests: 10,
  failures: 0,
  errors: 0,
  skipped: 0,
  failing: [],
  ...over,
});

const coverage = (percent: number): CoverageReport => ({
  format: "cobertura",
  percent,
  percentText: truncatePercent(percent),
  coveredLines: null,
  totalLines: null,
});

const sarifResult = (over: Partial<SarifFinding> = {}): SarifFinding => ({
  tool: "Bandit",
  ruleId: "B101",
  level: "note",
  severity: "low",
  score: null,
  message: "Use of assert detected.",
  location: "src/app/x.py:3",
  ...over,
});

const sarif = (findings: SarifFinding[], over: Partial<SarifReport> = {}): SarifReport => ({
  format: "sarif",
  tools: ["Bandit"],
  byLevel: { error: 0, warning: 0, note: 0, none: 0 },
  bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 },
  suppressed: 0,
  incomplete: [],
  findings,
  ...over,
});

const sarifLog = (run: Record<string, unknown>, version = "2.1.0") =>
  JSON.stringify({ version, runs: [{ tool: { driver: { name: "scanner" } }, ...run }] });

describe("the evidence folder", () => {
  test("names one entry per ci evidence kind of the runbooks, each with a command", () => {
    assert.deepEqual(Object.keys(CI_EVIDENCE_FILES).sort(), [...ciEvidenceKinds].sort());
    for (const spec of Object.values(CI_EVIDENCE_FILES)) {
      for (const file of spec.files) assert.ok(file.command.includes(file.name), file.name);
    }
  });

  test("locateEvidence finds the conventional file", () => {
    const found = locateEvidence(folder("passing"), "unit-tests");
    assert.deepEqual(found, {
      status: "found",
      kind: "unit-tests",
      dir: folder("passing"),
      file: "unit-tests.xml",
      path: join(folder("passing"), "unit-tests.xml"),
      format: "junit",
      command: "pytest tests/unit/ --junitxml=unit-tests.xml",
    });
  });

  test("locateEvidence says missing with every name tried", () => {
    const missing = locateEvidence(folder("missing-security"), "security");
    assert.equal(missing.status, "missing");
    const lint = locateEvidence(fixtures, "lint");
    assert.deepEqual(lint, {
      status: "missing",
      kind: "lint",
      dir: fixtures,
      dirExists: true,
      tried: ["lint.xml", "lint.sarif"],
      command: "ruff check src/ --output-format junit -o lint.xml",
    });
    const cov = locateEvidence(fixtures, "coverage");
    assert.ok(cov.status === "missing");
    assert.deepEqual(cov.tried, ["coverage.xml", "coverage.json"]);
  });

  test("the missing-attestation reason names the file, the folder and the command", () => {
    const missing = locateEvidence(folder("missing-security"), "security");
    assert.ok(missing.status === "missing");
    assert.equal(
      missingAttestationReason(missing),
      `missing attestation: no security.sarif in ${folder("missing-security")}; produce it with \`bandit -r src/ -f sarif -o security.sarif\` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)`,
    );
    const nowhere = locateEvidence("/no/such/ci-evidence", "lint");
    assert.ok(nowhere.status === "missing");
    assert.equal(
      missingAttestationReason(nowhere),
      "missing attestation: no lint.xml or lint.sarif in /no/such/ci-evidence (the folder does not exist); produce it with `ruff check src/ --output-format junit -o lint.xml` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)",
    );
  });
});

describe("parseJUnitXml", () => {
  test("pytest: a <testsuites> root with one suite, skipped counted", () => {
    const report = ok(parseJUnitXml(readFileSync(join(folder("passing"), "unit-tests.xml"), "utf8")));
    assert.deepEqual(report, {
      format: "junit",
      suites: 1,
      tests: 12,
      failures: 0,
      errors: 0,
      skipped: 1,
      failing: [],
    });
  });

  test("pytest failures and setup errors, messages decoded to their first line", () => {
    const report = ok(parseJUnitXml(readFileSync(join(folder("failing-tests"), "unit-tests.xml"), "utf8")));
    assert.equal(report.tests, 12);
    assert.equal(report.failures, 2);
    assert.equal(report.errors, 1);
    assert.equal(report.skipped, 1);
    assert.deepEqual(
      report.failing.map((t) => [t.outcome, t.classname, t.name, t.message]),
      [
        [
          "failure",
          "tests.unit.test_tenant_handlers",
          "test_park_tenant_sets_status_parked",
          "AssertionError: assert 'ACTIVE' == 'PARKED'",
        ],
        [
          "failure",
          "tests.unit.test_instance_handlers",
          "test_list_instances_paginates[page_size=100]",
          "KeyError: 'LastEvaluatedKey'",
        ],
        [
          "error",
          "tests.unit.test_instance_handlers",
          "test_delete_instance_is_idempotent",
          'failed on setup with "botocore.exceptions.NoCredentialsError: Unable to locate credentials"',
        ],
      ],
    );
    assert.match(report.failing[0]?.detail ?? "", /^tenant = \{/);
  });

  test("a bare <testsuite> root (pytest xunit1) with file and line", () => {
    const report = ok(parseJUnitXml(sample("pytest-bare-testsuite.xml")));
    assert.equal(report.tests, 3);
    assert.equal(report.failures, 1);
    assert.deepEqual(report.failing[0], {
      name: "test_token_audience_checked",
      classname: "tests.unit.test_tokens",
      line: 24,
      outcome: "failure",
      message: "jose.exceptions.JWTClaimsError: Invalid audience",
      detail:
        'tests/unit/test_tokens.py:27: in test_token_audience_checked\n    claims = verify(token, audience="bbws-access")\nE   jose.exceptions.JWTClaimsError: Invalid audience',
    });
  });

  test("mypy: one case, skips instead of skipped, the errors in the failure text", () => {
    const passing = ok(parseJUnitXml(readFileSync(join(folder("passing"), "type-check.xml"), "utf8")));
    assert.deepEqual([passing.tests, passing.failures, passing.errors], [1, 0, 0]);
    const failing = ok(parseJUnitXml(sample("type-check-failing.xml")));
    assert.equal(failing.failures, 1);
    assert.equal(failing.failing[0]?.message, "mypy produced messages");
    assert.match(failing.failing[0]?.detail ?? "", /^src\/app\/handlers\.py:142: error: Argument 1/);
  });

  test("ruff: a clean run is one passing case, findings one failing case each", () => {
    const clean = ok(parseJUnitXml(readFileSync(join(folder("passing"), "lint.xml"), "utf8")));
    assert.deepEqual([clean.tests, clean.failures, clean.errors], [1, 0, 0]);
    const dirty = ok(parseJUnitXml(sample("lint-failing.xml")));
    assert.deepEqual([dirty.suites, dirty.tests, dirty.failures], [2, 3, 3]);
    assert.deepEqual(dirty.failing[0], {
      name: "org.ruff.F401",
      classname: "src/app/handlers",
      line: 3,
      outcome: "failure",
      message: "`os` imported but unused",
      detail: "line 3, col 8, `os` imported but unused",
    });
  });

  test("nested suites are counted once each; a suite without cases gives its own counts", () => {
    const nested = ok(
      parseJUnitXml(
        `<testsuites tests="99"><testsuite name="outer"><testsuite name="inner"><testcase name="a"/><testcase name="b"><skipped/></testcase></testsuite></testsuite><testsuite name="summary" tests="4" failures="1" errors="0" skipped="2"/></testsuites>`,
      ),
    );
    assert.deepEqual(
      [nested.suites, nested.tests, nested.failures, nested.errors, nested.skipped],
      [3, 6, 1, 0, 3],
    );
  });

  test("an empty <testsuites/> is zero tests, not a problem", () => {
    assert.equal(ok(parseJUnitXml(`<?xml version="1.0"?><testsuites/>`)).tests, 0);
  });

  test("no more than five failing cases are kept", () => {
    const cases = Array.from(
      { length: 7 },
      (_, i) => `<testcase name="t${i}"><failure>boom ${i}</failure></testcase>`,
    );
    const report = ok(parseJUnitXml(`<testsuite>${cases.join("")}</testsuite>`));
    assert.equal(report.failures, 7);
    assert.deepEqual(
      report.failing.map((t) => t.message),
      ["boom 0", "boom 1", "boom 2", "boom 3", "boom 4"],
    );
  });

  test("malformed content is a problem, never a throw", () => {
    assert.equal(problem(parseJUnitXml("")), "the file is empty");
    assert.equal(
      problem(parseJUnitXml("<testsuite><testcase></testsuite>")),
      "not well-formed XML (line 1, column 22: Expected closing tag 'testcase' (opened in line 1, col 12) instead of closing tag 'testsuite'.)",
    );
    assert.match(problem(parseJUnitXml("Traceback (most recent call last):")), /^not well-formed XML/);
    assert.equal(
      problem(parseJUnitXml(`<?xml version="1.0"?><coverage line-rate="0.8"/>`)),
      "not a JUnit report: the root element is <coverage>, not <testsuites> or <testsuite>",
    );
    assert.equal(
      problem(parseJUnitXml(`<testsuite name="pytest" tests="twelve"/>`)),
      'not a JUnit report (testsuite "pytest": tests="twelve" is not a count)',
    );
  });
});

describe("coverage readers", () => {
  test("Cobertura from lines-covered / lines-valid", () => {
    const text = (name: string) => readFileSync(join(folder(name), "coverage.xml"), "utf8");
    assert.deepEqual(ok(parseCoberturaXml(text("passing"))), {
      format: "cobertura",
      percent: 86.4,
      percentText: "86.4",
      coveredLines: 864,
      totalLines: 1000,
    });
    assert.equal(ok(parseCoberturaXml(text("coverage-79.9"))).percentText, "79.9");
    assert.equal(ok(parseCoberturaXml(text("coverage-79.9"))).percent, 79.9);
    assert.equal(ok(parseCoberturaXml(text("coverage-80.0"))).percent, 80);
    assert.equal(ok(parseCoberturaXml(text("coverage-80.0"))).percentText, "80.0");
  });

  test("Cobertura from line-rate alone, without floating-point noise or rounding up", () => {
    const rate = (r: string) => ok(parseCoberturaXml(`<coverage line-rate="${r}"/>`));
    assert.equal(rate("0.812").percent, 81.2); // 0.812 * 100 would be 81.19999999999999
    assert.equal(rate("0.812").percentText, "81.2");
    assert.equal(rate("0.7999").percent, 79.99);
    assert.equal(rate("0.7999").percentText, "79.9");
    assert.equal(rate("1").percentText, "100.0");
    assert.equal(rate("0").percentText, "0.0");
  });

  test("Cobertura problems", () => {
    assert.equal(
      problem(parseCoberturaXml(`<coverage lines-valid="0" lines-covered="0" line-rate="1"/>`)),
      'the report measured no lines (lines-valid="0")',
    );
    assert.equal(
      problem(parseCoberturaXml(`<coverage line-rate="81%"/>`)),
      'not a Cobertura report: line-rate="81%" is not a rate between 0 and 1',
    );
    assert.equal(
      problem(parseCoberturaXml(`<coverage line-rate="1.2"/>`)),
      'not a Cobertura report: line-rate="1.2" is not a rate between 0 and 1',
    );
    assert.equal(
      problem(parseCoberturaXml(`<coverage version="7.6.4"/>`)),
      "not a Cobertura report: <coverage> has no line-rate",
    );
    assert.equal(
      problem(parseCoberturaXml(`<testsuites/>`)),
      "not a Cobertura report: no <coverage> root element with attributes",
    );
    assert.match(problem(parseCoberturaXml(`<coverage line-rate="0.8">`)), /^not well-formed XML/);
  });

  test("Istanbul coverage-summary.json: total.lines", () => {
    assert.deepEqual(ok(parseCoverageJson(sample("coverage-summary.json"))), {
      format: "istanbul",
      percent: 86.4,
      percentText: "86.4",
      coveredLines: 864,
      totalLines: 1000,
    });
    const pctOnly = ok(parseCoverageJson(JSON.stringify({ total: { lines: { pct: 79.99 } } })));
    assert.deepEqual([pctOnly.percent, pctOnly.percentText], [79.99, "79.9"]);
    assert.equal(
      problem(
        parseCoverageJson(JSON.stringify({ total: { lines: { total: 0, covered: 0, pct: "Unknown" } } })),
      ),
      'the report measured no lines (total.lines.pct is "Unknown")',
    );
  });

  test("coverage.py JSON: totals, not the rounded percent_covered_display", () => {
    const report = ok(parseCoverageJson(sample("coverage-py.json")));
    assert.deepEqual(report, {
      format: "coverage.py",
      percent: 79.9,
      percentText: "79.9",
      coveredLines: 799,
      totalLines: 1000,
    });
  });

  test("JSON problems", () => {
    assert.equal(problem(parseCoverageJson("")), "the file is empty");
    assert.match(problem(parseCoverageJson("{ total: ")), /^not JSON \(/);
    assert.equal(
      problem(parseCoverageJson(JSON.stringify({ total: { lines: { pct: 120 } } }))),
      "not a coverage report (Istanbul's total.lines or coverage.py's totals) (total.lines.pct: Too big: expected number to be <=100)",
    );
    assert.match(
      problem(parseCoverageJson(JSON.stringify({ meta: {} }))),
      /^not a coverage report \(Istanbul's total\.lines or coverage\.py's totals\) \(totals: /,
    );
  });

  test("truncatePercent cuts digits and never rounds up", () => {
    assert.equal(truncatePercent(79.96), "79.9");
    assert.equal(truncatePercent(79.99999), "79.9");
    assert.equal(truncatePercent(80), "80.0");
    assert.equal(truncatePercent(80.05), "80.0");
    assert.equal(truncatePercent(100), "100.0");
    assert.equal(truncatePercent(1e-7), "0.0");
    assert.equal(truncatePercent(86.40776699029126, 4), "86.4077");
  });
});

describe("parseSarif", () => {
  test("bandit: levels, issue_severity, rule ids and locations", () => {
    const report = ok(parseSarif(readFileSync(join(folder("high-severity"), "security.sarif"), "utf8")));
    assert.deepEqual(report.tools, ["Bandit"]);
    assert.deepEqual(report.byLevel, { error: 1, warning: 1, note: 1, none: 0 });
    assert.deepEqual(report.bySeverity, { critical: 0, high: 1, medium: 1, low: 1, none: 0, unknown: 0 });
    assert.deepEqual(report.findings[0], {
      tool: "Bandit",
      ruleId: "B602",
      level: "error",
      severity: "high",
      score: null,
      message: "subprocess call with shell=True identified, security issue.",
      location: "src/app/export.py:48",
    });
    const passing = ok(parseSarif(readFileSync(join(folder("passing"), "security.sarif"), "utf8")));
    assert.deepEqual(
      passing.findings.map((f) => [f.ruleId, f.level, f.severity]),
      [["B311", "note", "low"]],
    );
  });

  test("ruff: every finding is level error with no security severity", () => {
    const report = ok(parseSarif(sample("lint-failing.sarif")));
    assert.deepEqual(
      report.findings.map((f) => [f.ruleId, f.level, f.severity]),
      [
        ["F401", "error", null],
        ["F841", "error", null],
      ],
    );
    assert.equal(ok(parseSarif(sample("lint-clean.sarif"))).findings.length, 0);
  });

  test("security-severity from the result or from its rule (by index or id) wins over issue_severity", () => {
    const report = ok(
      parseSarif(
        sarifLog({
          tool: {
            driver: {
              name: "scanner",
              rules: [
                { id: "R1", properties: { "security-severity": "8.1" } },
                { id: "R2", properties: { "security-severity": "6.9" } },
              ],
            },
          },
          results: [
            { ruleId: "R1", ruleIndex: 0, level: "warning", message: { text: "by index" } },
            { ruleId: "R2", level: "note", message: { text: "by id" } },
            {
              ruleId: "R3",
              level: "warning",
              message: { text: "on the result" },
              properties: { "security-severity": 9.5, issue_severity: "LOW" },
            },
            {
              ruleId: "R4",
              level: "note",
              message: { text: "bandit" },
              properties: { issue_severity: "MEDIUM" },
            },
            { ruleId: "R5", message: { text: "nothing" } },
          ],
        }),
      ),
    );
    assert.deepEqual(
      report.findings.map((f) => [f.ruleId, f.level, f.severity, f.score]),
      [
        ["R1", "warning", "high", 8.1],
        ["R2", "note", "medium", 6.9],
        ["R3", "warning", "critical", 9.5],
        ["R4", "note", "medium", null],
        ["R5", "warning", null, null],
      ],
    );
    assert.equal(report.findings[4]?.location, null);
  });

  test("a rule's defaultConfiguration level applies; suppressed results and failed invocations are noted", () => {
    const report = ok(
      parseSarif(
        sarifLog({
          tool: {
            driver: { name: "scanner", rules: [{ id: "R1", defaultConfiguration: { level: "error" } }] },
          },
          invocations: [{ executionSuccessful: false }],
          results: [
            { ruleId: "R1", message: { text: "default level" } },
            { ruleId: "R1", message: { text: "waived" }, suppressions: [{ kind: "inSource" }] },
          ],
        }),
      ),
    );
    assert.deepEqual(
      report.findings.map((f) => f.level),
      ["error"],
    );
    assert.equal(report.suppressed, 1);
    assert.deepEqual(report.incomplete, ["scanner"]);
  });

  test("severityOfScore uses GitHub's bands", () => {
    assert.deepEqual([10, 9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0].map(severityOfScore), [
      "critical",
      "critical",
      "high",
      "high",
      "medium",
      "medium",
      "low",
      "low",
      "none",
    ]);
  });

  test("malformed content is a problem, never a throw", () => {
    assert.equal(problem(parseSarif("   ")), "the file is empty");
    assert.match(problem(parseSarif("<sarif/>")), /^not JSON \(/);
    assert.equal(problem(parseSarif(sarifLog({}, "2.0.0"))), "SARIF version 2.0.0, not 2.1.0");
    assert.equal(
      problem(parseSarif(JSON.stringify({ version: "2.1.0", runs: [] }))),
      "the SARIF log has no runs",
    );
    assert.equal(
      problem(
        parseSarif(sarifLog({ results: [{ ruleId: "B101", level: "fatal", message: { text: "x" } }] })),
      ),
      'not a SARIF log (runs.0.results.0.level: Invalid option: expected one of "error"|"warning"|"note"|"none")',
    );
  });
});

describe("judgeTestReport", () => {
  test("tests run and none failed passes", () => {
    const finding = judgeTestReport("unit-tests", read("unit-tests", junit({ tests: 12, skipped: 1 })));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "Unit tests passed: 12 tests, 0 failures, 0 errors, 1 skipped (unit-tests.xml in /ci).",
    );
  });

  test("zero tests fails: it ran no tests", () => {
    const finding = judgeTestReport("integration-tests", read("integration-tests", junit({ tests: 0 })));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "Integration tests ran no tests: integration-tests.xml in /ci reports 0 tests, so it attests nothing. Check that `pytest tests/integration/ --junitxml=integration-tests.xml` collects the service's tests (a wrong path or marker collects none) and rerun it.",
    );
  });

  test("failures and errors fail, naming the first cases", () => {
    const failing = [
      {
        name: "test_park",
        classname: "tests.unit.test_tenants",
        line: null,
        outcome: "failure" as const,
        message: "AssertionError: assert 'ACTIVE' == 'PARKED'",
        detail: "",
      },
      {
        name: "test_setup",
        classname: null,
        line: 7,
        outcome: "error" as const,
        message: "",
        detail: "",
      },
    ];
    const finding = judgeTestReport(
      "sit-final-tests",
      read("sit-final-tests", junit({ tests: 8, failures: 1, errors: 1, failing })),
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "SIT final tests failed: 1 failure and 1 error in 8 tests (sit-final-tests.xml in /ci): tests.unit.test_tenants::test_park: AssertionError: assert 'ACTIVE' == 'PARKED'; test_setup (line 7). Fix them in the service repository and rerun `pytest tests/ --junitxml=sit-final-tests.xml` before promoting.",
    );
  });

  test("more failures than listed say how many more", () => {
    const one = {
      name: "t",
      classname: null,
      line: null,
      outcome: "failure" as const,
      message: "x",
      detail: "",
    };
    const finding = judgeTestReport("unit-tests", read("unit-tests", junit({ failures: 7, failing: [one] })));
    assert.match(finding.reason, /: t: x; and 6 more\. Fix them/);
  });

  test("a mypy failure shows mypy's messages, not its generic message", () => {
    const report = ok(parseJUnitXml(sample("type-check-failing.xml")));
    const finding = judgeTestReport("type-check", read("type-check", report));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Type check failed: 1 failure and 0 errors in 1 test \(type-check\.xml in \/ci\): mypy-py3_12-linux: src\/app\/handlers\.py:142: error: .* \| src\/app\/repository\.py:57: error: .* \| Found 2 errors in 2 files \(checked 14 source files\)\. Fix them .* rerun `mypy src\/ --junit-xml type-check\.xml`/,
    );
  });

  test("a missing file is a failed missing attestation", () => {
    const finding = judgeTestReport("unit-tests", readTestReport(fixtures, "unit-tests"));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `missing attestation: no unit-tests.xml in ${fixtures}; produce it with \`pytest tests/unit/ --junitxml=unit-tests.xml\` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)`,
    );
  });

  describe("an unreadable file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ci-evidence-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test("not XML fails naming the file and the problem", () => {
      writeFileSync(join(dir, "unit-tests.xml"), "============================= test session starts");
      const finding = judgeTestReport("unit-tests", readTestReport(dir, "unit-tests"));
      assert.equal(finding.status, "failed");
      assert.equal(
        finding.reason,
        `Unit tests: unit-tests.xml in ${dir} cannot be used: not well-formed XML (line 1, column 1: char '=' is not expected.). A report the harness cannot read attests nothing; regenerate it with \`pytest tests/unit/ --junitxml=unit-tests.xml\` in the service's CI.`,
      );
    });

    test("a folder where the file should be cannot be read", () => {
      mkdirSync(join(dir, "sit-final-tests.xml"));
      const result = readTestReport(dir, "sit-final-tests");
      assert.ok(result.status === "unreadable");
      assert.equal(result.problem, "cannot be read (EISDIR)");
      assert.equal(judgeTestReport("sit-final-tests", result).status, "failed");
    });
  });
});

describe("judgeCoverage", () => {
  const atLeast = { comparison: ">=", value: 80 } as const;
  const moreThan = { comparison: ">", value: 80 } as const;
  const status = (percent: number, threshold: typeof atLeast | typeof moreThan) =>
    judgeCoverage(read("coverage", coverage(percent)), threshold).status;

  test("79.9 fails both >= 80 and > 80", () => {
    assert.equal(status(79.9, atLeast), "failed");
    assert.equal(status(79.9, moreThan), "failed");
    assert.equal(status(79.99, atLeast), "failed");
  });

  test("80.0 passes >= 80 and fails > 80", () => {
    assert.equal(status(80, atLeast), "passed");
    assert.equal(status(80, moreThan), "failed");
  });

  test("80.05 passes both, compared on the exact figure", () => {
    assert.equal(status(80.05, atLeast), "passed");
    assert.equal(status(80.05, moreThan), "passed");
  });

  test("reasons say the percent, the lines and the threshold", () => {
    const passing = judgeCoverage(readCoverageReport(folder("passing")), atLeast);
    assert.equal(passing.status, "passed");
    assert.equal(
      passing.reason,
      `Line coverage is 86.4%, 864 of 1000 lines (coverage.xml in ${folder("passing")}), at least 80% as required.`,
    );
    const exact = judgeCoverage(readCoverageReport(folder("coverage-80.0")), moreThan);
    assert.equal(
      exact.reason,
      `Line coverage is 80.0%, 800 of 1000 lines (coverage.xml in ${folder("coverage-80.0")}), not more than 80% as the runbook requires. Add unit tests in the service repository and rerun \`pytest --cov=src --cov-report=xml:coverage.xml\`; the harness reads the percent as written and never rounds it up.`,
    );
    assert.deepEqual(exact.evidence.threshold, moreThan);
  });

  test("a percent that truncation hides is shown exactly", () => {
    const finding = judgeCoverage(read("coverage", coverage(80.05)), moreThan);
    assert.equal(
      finding.reason,
      "Line coverage is 80.0% (80.05% before truncation) (coverage.xml in /ci), more than 80% as required.",
    );
    assert.match(
      judgeCoverage(read("coverage", coverage(79.96)), atLeast).reason,
      /^Line coverage is 79\.9% \(79\.96%/,
    );
  });

  test("a missing report fails as a missing attestation naming both file names", () => {
    const finding = judgeCoverage(readCoverageReport(folder("samples")), atLeast);
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^missing attestation: no coverage\.xml or coverage\.json in .*samples; produce it with `pytest --cov=src --cov-report=xml:coverage\.xml` in the service's CI/,
    );
  });
});

describe("judgeSecurityScan", () => {
  test("no results passes", () => {
    const finding = judgeSecurityScan(read("security", sarif([])));
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "Security scan passed: no result at level error and none of high or critical severity in security.sarif in /ci (Bandit, 0 results).",
    );
  });

  test("warnings and notes pass, listed", () => {
    const finding = judgeSecurityScan(
      read(
        "security",
        sarif([
          sarifResult({
            ruleId: "B608",
            level: "warning",
            severity: "medium",
            location: "src/app/audit.py:31",
          }),
          sarifResult(),
        ]),
      ),
    );
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "Security scan passed: no result at level error and none of high or critical severity in security.sarif in /ci (Bandit, 2 results). 2 lower findings do not block: B608 at src/app/audit.py:31 (warning, medium); B101 at src/app/x.py:3 (note, low).",
    );
  });

  test("level error fails even without a severity", () => {
    const finding = judgeSecurityScan(
      read("security", sarif([sarifResult({ level: "error", severity: null })])),
    );
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "Security scan found 1 blocking result (level error, or high or critical severity) in security.sarif in /ci (Bandit): B101 at src/app/x.py:3 (error). Fix them in the service repository, or suppress a false positive with a justification (# nosec B<id>), and rerun `bandit -r src/ -f sarif -o security.sarif`.",
    );
  });

  test("high or critical security severity fails at any level; 6.9 does not", () => {
    const high = sarifResult({ ruleId: "R1", level: "warning", severity: "high", score: 7 });
    const critical = sarifResult({ ruleId: "R2", level: "note", severity: "critical", score: 9.8 });
    const medium = sarifResult({ ruleId: "R3", level: "warning", severity: "medium", score: 6.9 });
    const finding = judgeSecurityScan(read("security", sarif([high, critical, medium])));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Security scan found 2 blocking results .*: R1 at src\/app\/x\.py:3 \(warning, high 7\); R2 at src\/app\/x\.py:3 \(note, critical 9\.8\)\. 1 lower finding does not block: R3 .*\(warning, medium 6\.9\)\./,
    );
    assert.equal(judgeSecurityScan(read("security", sarif([medium]))).status, "passed");
  });

  test("many blocking results list the first five and count the rest", () => {
    const many = Array.from({ length: 8 }, (_, i) => sarifResult({ ruleId: `B60${i}`, level: "error" }));
    assert.match(
      judgeSecurityScan(read("security", sarif(many))).reason,
      /B604 at src\/app\/x\.py:3 \(error, low\); and 3 more\./,
    );
  });

  test("a scan that did not complete fails", () => {
    const finding = judgeSecurityScan(read("security", sarif([], { incomplete: ["Bandit"] })));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^Security scan did not complete: Bandit reports executionSuccessful false/);
  });

  test("the fixture folders: passing passes, high-severity fails on B602, a missing file fails", () => {
    assert.equal(judgeSecurityScan(readSecurityScan(folder("passing"))).status, "passed");
    const high = judgeSecurityScan(readSecurityScan(folder("high-severity")));
    assert.equal(high.status, "failed");
    assert.match(
      high.reason,
      /: B602 at src\/app\/export\.py:48 \(error, high\)\. 2 lower findings do not block: B608/,
    );
    const missing = judgeSecurityScan(readSecurityScan(folder("missing-security")));
    assert.equal(missing.status, "failed");
    assert.match(missing.reason, /^missing attestation: no security\.sarif in /);
  });
});

describe("judgeLintReport", () => {
  test("JUnit with no failures passes", () => {
    const finding = judgeLintReport(read("lint", junit({ tests: 1 })));
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "Lint passed: no findings in lint.xml in /ci.");
  });

  test("JUnit findings fail with rule, file and line", () => {
    const finding = judgeLintReport(read("lint", ok(parseJUnitXml(sample("lint-failing.xml")))));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "Lint found 3 problems in lint.xml in /ci: src/app/handlers::org.ruff.F401 (line 3): `os` imported but unused; src/app/handlers::org.ruff.E711 (line 88): Comparison to `None` should be `cond is None`; src/app/repository::org.ruff.F841 (line 57): Local variable `response` is assigned to but never used. Fix them in the service repository (`ruff check src/ --fix` fixes many) and rerun `ruff check src/ --output-format junit -o lint.xml`.",
    );
  });

  test("SARIF with no results passes, with results fails", () => {
    assert.equal(
      judgeLintReport(read("lint", ok(parseSarif(sample("lint-clean.sarif"))), 1)).status,
      "passed",
    );
    const finding = judgeLintReport(read("lint", ok(parseSarif(sample("lint-failing.sarif"))), 1));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^Lint found 2 problems in lint\.sarif in \/ci: F401 at file:\/\/\/.*\/src\/app\/handlers\.py:3: `os` imported but unused; F841 at .*repository\.py:57: .*rerun `ruff check src\/ --output-format sarif -o lint\.sarif`\.$/,
    );
  });

  test("a missing report names both file names", () => {
    const finding = judgeLintReport(readLintReport(fixtures));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^missing attestation: no lint\.xml or lint\.sarif in /);
  });
});

describe("the fixture folders end to end", () => {
  const tests = ["unit-tests", "integration-tests", "type-check", "sit-final-tests"] as const;

  test("passing/ passes every judge, both coverage thresholds included", () => {
    const dir = folder("passing");
    const findings = [
      ...tests.map((kind) => judgeTestReport(kind, readTestReport(dir, kind))),
      judgeLintReport(readLintReport(dir)),
      judgeCoverage(readCoverageReport(dir), { comparison: ">=", value: 80 }),
      judgeCoverage(readCoverageReport(dir), { comparison: ">", value: 80 }),
      judgeSecurityScan(readSecurityScan(dir)),
    ];
    assert.deepEqual(
      findings.filter((f) => f.status !== "passed").map((f) => f.reason),
      [],
    );
  });

  test("each variant fails only its own check", () => {
    const statuses = (name: string) => {
      const dir = folder(name);
      return {
        tests: tests.map((kind) => judgeTestReport(kind, readTestReport(dir, kind)).status),
        lint: judgeLintReport(readLintReport(dir)).status,
        atLeast80: judgeCoverage(readCoverageReport(dir), { comparison: ">=", value: 80 }).status,
        moreThan80: judgeCoverage(readCoverageReport(dir), { comparison: ">", value: 80 }).status,
        security: judgeSecurityScan(readSecurityScan(dir)).status,
      };
    };
    const pass = ["passed", "passed", "passed", "passed"];
    assert.deepEqual(statuses("coverage-79.9"), {
      tests: pass,
      lint: "passed",
      atLeast80: "failed",
      moreThan80: "failed",
      security: "passed",
    });
    assert.deepEqual(statuses("coverage-80.0"), {
      tests: pass,
      lint: "passed",
      atLeast80: "passed",
      moreThan80: "failed",
      security: "passed",
    });
    assert.deepEqual(statuses("failing-tests"), {
      tests: ["failed", "passed", "passed", "passed"],
      lint: "passed",
      atLeast80: "passed",
      moreThan80: "passed",
      security: "passed",
    });
    assert.deepEqual(statuses("high-severity").security, "failed");
    assert.deepEqual(statuses("missing-security").security, "failed");
  });
});
