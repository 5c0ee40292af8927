/**
 * The service repository's own CI checks (tenant-deploy 3.1; access-promotion 2.2, 3.1, 4.1, 4.3.1), judged from
 * the report files its tools write: JUnit XML (pytest, mypy, ruff), coverage (Cobertura XML, coverage.py JSON,
 * Istanbul's coverage-summary.json) and SARIF 2.1.0 (bandit, ruff). The harness cannot run these checks, so a
 * missing file is a missing attestation, never a pass. Readers return plain data and never throw on bad
 * content; judges are pure.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";
import { type Finding, failed, passed } from "./finding.ts";

/** The shape of a report file; decides which reader parses it. */
export type EvidenceFormat = "junit" | "sarif" | "cobertura" | "coverage-json";

/** One conventional file name of a kind of evidence and the service-CI command that writes it. */
export interface EvidenceFileSpec {
  readonly name: string;
  readonly format: EvidenceFormat;
  readonly command: string;
  readonly note?: string;
}

/** A kind of evidence: what it proves and the file names tried, in order (the first one found is read). */
export interface EvidenceKindSpec {
  readonly title: string;
  readonly files: readonly [EvidenceFileSpec, ...EvidenceFileSpec[]];
}

/**
 * The evidence folder's conventional file names (`--ci-evidence <dir>` or HARNESS_CI_EVIDENCE_DIR), one entry
 * per kind of runbooks/schema.ts `ciEvidenceKinds`. Where a kind has two names the first found wins; the
 * first name's command is the one a missing-attestation message asks for.
 *
 * | kind              | file                  | written by                                                   |
 * |-------------------|-----------------------|--------------------------------------------------------------|
 * | unit-tests        | unit-tests.xml        | pytest tests/unit/ --junitxml=unit-tests.xml                 |
 * | integration-tests | integration-tests.xml | pytest tests/integration/ --junitxml=integration-tests.xml   |
 * | lint              | lint.xml              | ruff check src/ --output-format junit -o lint.xml            |
 * |                   | lint.sarif            | ruff check src/ --output-format sarif -o lint.sarif          |
 * | type-check        | type-check.xml        | mypy src/ --junit-xml type-check.xml                         |
 * | coverage          | coverage.xml          | pytest --cov=src --cov-report=xml:coverage.xml (Cobertura)   |
 * |                   | coverage.json         | pytest --cov=src --cov-report=json:coverage.json, or         |
 * |                   |                       | Istanbul's coverage-summary.json renamed                     |
 * | security          | security.sarif        | bandit -r src/ -f sarif -o security.sarif (bandit[sarif])    |
 * | sit-final-tests   | sit-final-tests.xml   | pytest tests/ --junitxml=sit-final-tests.xml (against SIT)   |
 */
export const CI_EVIDENCE_FILES = {
  "unit-tests": {
    title: "Unit tests",
    files: [
      { name: "unit-tests.xml", format: "junit", command: "pytest tests/unit/ --junitxml=unit-tests.xml" },
    ],
  },
  "integration-tests": {
    title: "Integration tests",
    files: [
      {
        name: "integration-tests.xml",
        format: "junit",
        command: "pytest tests/integration/ --junitxml=integration-tests.xml",
      },
    ],
  },
  lint: {
    title: "Lint",
    files: [
      { name: "lint.xml", format: "junit", command: "ruff check src/ --output-format junit -o lint.xml" },
      { name: "lint.sarif", format: "sarif", command: "ruff check src/ --output-format sarif -o lint.sarif" },
    ],
  },
  "type-check": {
    title: "Type check",
    files: [{ name: "type-check.xml", format: "junit", command: "mypy src/ --junit-xml type-check.xml" }],
  },
  coverage: {
    title: "Coverage",
    files: [
      {
        name: "coverage.xml",
        format: "cobertura",
        command: "pytest --cov=src --cov-report=xml:coverage.xml",
      },
      {
        name: "coverage.json",
        format: "coverage-json",
        command: "pytest --cov=src --cov-report=json:coverage.json",
        note: "coverage.py's JSON report, or Istanbul's coverage-summary.json renamed",
      },
    ],
  },
  security: {
    title: "Security scan",
    files: [
      {
        name: "security.sarif",
        format: "sarif",
        command: "bandit -r src/ -f sarif -o security.sarif",
        note: "the SARIF formatter needs bandit[sarif] (pip install 'bandit[sarif]')",
      },
    ],
  },
  "sit-final-tests": {
    title: "SIT final tests",
    files: [
      {
        name: "sit-final-tests.xml",
        format: "junit",
        command: "pytest tests/ --junitxml=sit-final-tests.xml",
        note: "the service's full suite run against SIT (access-promotion 4.3 step 1)",
      },
    ],
  },
} as const satisfies Record<string, EvidenceKindSpec>;

/** A kind of CI evidence; the same names as runbooks/schema.ts `ciEvidenceKinds`. */
export type EvidenceKind = keyof typeof CI_EVIDENCE_FILES;

/** The kinds whose evidence is a JUnit test report judged by judgeTestReport. */
export type TestReportKind = "unit-tests" | "integration-tests" | "type-check" | "sit-final-tests";

/** How many failing tests or findings a report keeps by name and a reason lists. */
export const MAX_LISTED = 5;

/** No file of the kind in the folder: a missing attestation. */
export interface EvidenceMissing {
  readonly status: "missing";
  readonly kind: EvidenceKind;
  readonly dir: string;
  readonly dirExists: boolean;
  /** Every file name tried, in order. */
  readonly tried: readonly string[];
  /** The command that writes the first file name. */
  readonly command: string;
}

/** The file of the kind found in the folder. */
export interface EvidenceFound {
  readonly status: "found";
  readonly kind: EvidenceKind;
  readonly dir: string;
  readonly file: string;
  readonly path: string;
  readonly format: EvidenceFormat;
  readonly command: string;
}

/** Where the evidence of a kind is, or that it is missing. */
export type EvidenceLocation = EvidenceFound | EvidenceMissing;

/** A file read and parsed. */
export interface EvidenceReadOk<T> extends Omit<EvidenceFound, "status"> {
  readonly status: "read";
  readonly report: T;
}

/** A file found but not usable: unreadable, not well-formed, or not the expected shape. */
export interface EvidenceUnreadable extends Omit<EvidenceFound, "status"> {
  readonly status: "unreadable";
  readonly problem: string;
}

/** The outcome of reading one kind of evidence from a folder; what the judges take. */
export type EvidenceRead<T> = EvidenceReadOk<T> | EvidenceUnreadable | EvidenceMissing;

/** The outcome of parsing one file's text. */
export type Parsed<T> =
  | { readonly ok: true; readonly report: T }
  | { readonly ok: false; readonly problem: string };

/** Finds the kind's file in `dir`, trying its conventional names in order. */
export function locateEvidence(dir: string, kind: EvidenceKind): EvidenceLocation {
  const spec: EvidenceKindSpec = CI_EVIDENCE_FILES[kind];
  for (const file of spec.files) {
    const path = join(dir, file.name);
    if (existsSync(path)) {
      return {
        status: "found",
        kind,
        dir,
        file: file.name,
        path,
        format: file.format,
        command: file.command,
      };
    }
  }
  return {
    status: "missing",
    kind,
    dir,
    dirExists: existsSync(dir),
    tried: spec.files.map((f) => f.name),
    command: spec.files[0].command,
  };
}

/** The reason of a missing attestation: which files were tried where, and the command that writes one. */
export function missingAttestationReason(missing: EvidenceMissing): string {
  const names = missing.tried.join(" or ");
  const where = missing.dirExists ? missing.dir : `${missing.dir} (the folder does not exist)`;
  return `missing attestation: no ${names} in ${where}; produce it with \`${missing.command}\` in the service's CI and pass the folder with --ci-evidence <dir> (or HARNESS_CI_EVIDENCE_DIR)`;
}

// ---------------------------------------------------------------------------------------------------------
// JUnit XML

/** A failed or erroring test case, as the report names it. */
export interface FailingTest {
  readonly name: string;
  readonly classname: string | null;
  readonly line: number | null;
  readonly outcome: "failure" | "error";
  /** The failure's message attribute, or the first line of its text. */
  readonly message: string;
  /** The first lines of the failure's text (a traceback, or mypy's messages). */
  readonly detail: string;
}

/** Totals of a JUnit report (pytest --junitxml, mypy --junit-xml, ruff --output-format junit). */
export interface JUnitReport {
  readonly format: "junit";
  readonly suites: number;
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
  /** The first MAX_LISTED failing cases. */
  readonly failing: readonly FailingTest[];
}

const AttrsSchema = z.record(z.string(), z.string()).optional();
// An element with neither attributes nor children parses as "" (`<skipped/>`), one with text only as that text.
const OutcomeSchema = z.union([z.string(), z.object({ $: AttrsSchema, "#text": z.string().optional() })]);
const TestCaseSchema = z.union([
  z.string().transform(() => ({})),
  z.object({
    $: AttrsSchema,
    failure: z.array(OutcomeSchema).optional(),
    error: z.array(OutcomeSchema).optional(),
    skipped: z.array(OutcomeSchema).optional(),
  }),
]);
interface SuiteNode {
  $?: Record<string, string> | undefined;
  testcase?: z.infer<typeof TestCaseSchema>[] | undefined;
  testsuite?: SuiteNode[] | undefined;
}
const TestSuiteSchema: z.ZodType<SuiteNode> = z.lazy(() =>
  z.union([
    z.string().transform((): SuiteNode => ({})),
    z.object({
      $: AttrsSchema,
      testcase: z.array(TestCaseSchema).optional(),
      testsuite: z.array(TestSuiteSchema).optional(),
    }),
  ]),
);
const JUnitDocumentSchema = z.object({
  testsuites: z.union([z.string().transform((): SuiteNode => ({})), TestSuiteSchema]).optional(),
  testsuite: z.array(TestSuiteSchema).optional(),
});

const JUNIT_ARRAYS = new Set(["testsuite", "testcase", "failure", "error", "skipped"]);

function xmlParser(arrays: ReadonlySet<string>): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    attributesGroupName: "$",
    textNodeName: "#text",
    parseAttributeValue: false,
    parseTagValue: false,
    // Decodes numeric character references too: pytest writes a message's newlines as &#10;.
    htmlEntities: true,
    isArray: (name) => arrays.has(name),
  });
}

/** Parses XML text to objects, or says why it is not well-formed XML. */
function parseXml(text: string, arrays: ReadonlySet<string>): Parsed<unknown> {
  if (text.trim() === "") return { ok: false, problem: "the file is empty" };
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return {
      ok: false,
      problem: `not well-formed XML (line ${valid.err.line}${valid.err.col === undefined ? "" : `, column ${valid.err.col}`}: ${valid.err.msg})`,
    };
  }
  try {
    return { ok: true, report: xmlParser(arrays).parse(text) };
  } catch (error) {
    return {
      ok: false,
      problem: `not well-formed XML (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

function zodProblem(error: z.ZodError, what: string): string {
  const issues = error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length === 0 ? "(root)" : i.path.join(".")}: ${i.message}`);
  return `not ${what} (${issues.join("; ")})`;
}

function count(attrs: Record<string, string> | undefined, ...names: string[]): number | string | undefined {
  for (const name of names) {
    const value = attrs?.[name];
    if (value === undefined) continue;
    return /^\s*\d+\s*$/.test(value) ? Number(value) : `${name}="${value}" is not a count`;
  }
  return undefined;
}

function outcomeText(outcome: z.infer<typeof OutcomeSchema>): { message: string; text: string } {
  if (typeof outcome === "string") return { message: "", text: outcome };
  return { message: outcome.$?.message ?? "", text: outcome["#text"] ?? "" };
}

function firstLines(text: string, lines: number): string {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(0, lines)
    .join("\n");
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Reads a JUnit XML report: `<testsuites>` or a bare `<testsuite>` root, nested suites included. */
export function parseJUnitXml(text: string): Parsed<JUnitReport> {
  const xml = parseXml(text, JUNIT_ARRAYS);
  if (!xml.ok) return xml;
  const doc = JUnitDocumentSchema.safeParse(xml.report);
  if (!doc.success) return { ok: false, problem: zodProblem(doc.error, "a JUnit report") };
  const roots: SuiteNode[] = doc.data.testsuites ? [doc.data.testsuites] : (doc.data.testsuite ?? []);
  if (doc.data.testsuites === undefined && doc.data.testsuite === undefined) {
    const root = typeof xml.report === "object" && xml.report !== null ? Object.keys(xml.report) : [];
    const name = root.find((k) => k !== "?xml");
    return {
      ok: false,
      problem: `not a JUnit report: the root element is ${name === undefined ? "missing" : `<${name}>`}, not <testsuites> or <testsuite>`,
    };
  }
  const totals = { suites: 0, tests: 0, failures: 0, errors: 0, skipped: 0 };
  const failing: FailingTest[] = [];
  const problems: string[] = [];
  // A <testsuites> root only contains: its counts (ruff writes them) repeat its suites', so they are never added.
  const visit = (suite: SuiteNode, isContainer: boolean): void => {
    for (const child of suite.testsuite ?? []) visit(child, false);
    const cases = suite.testcase ?? [];
    if (!isContainer) totals.suites += 1;
    if (cases.length === 0) {
      if (isContainer || (suite.testsuite ?? []).length > 0) return;
      // No cases written (a summary-only report): take the suite's own counts.
      const attribute = (...names: string[]): number => {
        const value = count(suite.$, ...names);
        if (typeof value === "string") problems.push(`testsuite "${suite.$?.name ?? "(unnamed)"}": ${value}`);
        return typeof value === "number" ? value : 0;
      };
      totals.tests += attribute("tests");
      totals.failures += attribute("failures");
      totals.errors += attribute("errors");
      // mypy writes skips="0" where pytest writes skipped="0".
      totals.skipped += attribute("skipped", "skips");
      return;
    }
    for (const testcase of cases) {
      totals.tests += 1;
      const attrs = "$" in testcase ? testcase.$ : undefined;
      const outcomes = [
        ...("failure" in testcase ? (testcase.failure ?? []).map((o) => ["failure", o] as const) : []),
        ...("error" in testcase ? (testcase.error ?? []).map((o) => ["error", o] as const) : []),
      ];
      if ("failure" in testcase && (testcase.failure ?? []).length > 0) totals.failures += 1;
      if ("error" in testcase && (testcase.error ?? []).length > 0) totals.errors += 1;
      if (outcomes.length === 0 && "skipped" in testcase && (testcase.skipped ?? []).length > 0) {
        totals.skipped += 1;
      }
      const first = outcomes[0];
      if (first !== undefined && failing.length < MAX_LISTED) {
        const { message, text } = outcomeText(first[1]);
        const line = Number(attrs?.line);
        failing.push({
          name: attrs?.name ?? "(unnamed)",
          classname: attrs?.classname ?? null,
          line: Number.isInteger(line) && attrs?.line !== undefined ? line : null,
          outcome: first[0],
          message: clip(firstLines(message, 1).trim() || firstLines(text, 1).trim()),
          detail: clip(firstLines(text, 5), 600),
        });
      }
    }
  };
  for (const root of roots) visit(root, doc.data.testsuites !== undefined);
  if (problems.length > 0) return { ok: false, problem: `not a JUnit report (${problems.join("; ")})` };
  return { ok: true, report: { format: "junit", ...totals, failing } };
}

// ---------------------------------------------------------------------------------------------------------
// Coverage

/** Line coverage of a report, as a percent. */
export interface CoverageReport {
  readonly format: "cobertura" | "coverage.py" | "istanbul";
  /** The exact percent the report gives (from covered/total lines when it has them); judges compare this. */
  readonly percent: number;
  /** The percent truncated to one decimal, never rounded up: 79.96 is "79.9". */
  readonly percentText: string;
  readonly coveredLines: number | null;
  readonly totalLines: number | null;
}

/** Truncates (never rounds) a non-negative number to `decimals` places, as text. */
export function truncatePercent(value: number, decimals = 1): string {
  // The shortest round-trip text is the number as the tool wrote it; cutting digits off it cannot round up.
  const text = Number.isInteger(value) ? `${value}.` : String(value);
  const match = /^(\d+)\.(\d*)$/.exec(text.includes("e") ? value.toFixed(20) : text);
  if (match === null) return value.toFixed(decimals);
  return `${match[1]}.${(match[2] ?? "").padEnd(decimals, "0").slice(0, decimals)}`;
}

function coverageOf(
  format: CoverageReport["format"],
  covered: number | null,
  total: number | null,
  percent: number,
): CoverageReport {
  return { format, percent, percentText: truncatePercent(percent), coveredLines: covered, totalLines: total };
}

/** "0.812" times 100 without binary floating-point noise (0.812 * 100 is 81.19999999999999). */
function rateToPercent(rate: string): number | null {
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(rate);
  if (match === null) {
    const n = Number(rate);
    return Number.isFinite(n) ? n * 100 : null;
  }
  const frac = (match[2] ?? "").padEnd(2, "0");
  return Number(`${match[1]}${frac.slice(0, 2)}.${frac.slice(2) || "0"}`);
}

const CoberturaSchema = z.object({
  coverage: z.object({ $: z.record(z.string(), z.string()) }),
});

/** Reads a Cobertura XML report (pytest --cov-report=xml): lines-covered/lines-valid, else line-rate. */
export function parseCoberturaXml(text: string): Parsed<CoverageReport> {
  const xml = parseXml(text, new Set());
  if (!xml.ok) return xml;
  const doc = CoberturaSchema.safeParse(xml.report);
  if (!doc.success) {
    return { ok: false, problem: "not a Cobertura report: no <coverage> root element with attributes" };
  }
  const attrs = doc.data.coverage.$;
  const covered = count(attrs, "lines-covered");
  const valid = count(attrs, "lines-valid");
  if (typeof covered === "number" && typeof valid === "number") {
    if (valid === 0) return { ok: false, problem: 'the report measured no lines (lines-valid="0")' };
    return { ok: true, report: coverageOf("cobertura", covered, valid, (covered * 100) / valid) };
  }
  const rate = attrs["line-rate"];
  if (rate === undefined)
    return { ok: false, problem: "not a Cobertura report: <coverage> has no line-rate" };
  const percent = rateToPercent(rate);
  if (percent === null || percent < 0 || percent > 100) {
    return {
      ok: false,
      problem: `not a Cobertura report: line-rate="${rate}" is not a rate between 0 and 1`,
    };
  }
  return { ok: true, report: coverageOf("cobertura", null, null, percent) };
}

const IstanbulSchema = z.object({
  total: z.object({
    lines: z.object({
      total: z.number().int().nonnegative().optional(),
      covered: z.number().int().nonnegative().optional(),
      pct: z.union([z.number().min(0).max(100), z.string()]),
    }),
  }),
});
const CoveragePySchema = z.object({
  totals: z.object({
    covered_lines: z.number().int().nonnegative(),
    num_statements: z.number().int().nonnegative(),
  }),
});

/** Reads a JSON coverage report: Istanbul's coverage-summary.json (total.lines) or coverage.py's (totals). */
export function parseCoverageJson(text: string): Parsed<CoverageReport> {
  if (text.trim() === "") return { ok: false, problem: "the file is empty" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const istanbul = IstanbulSchema.safeParse(json);
  if (istanbul.success) {
    const { total, covered, pct } = istanbul.data.total.lines;
    if (total === 0 || typeof pct === "string") {
      return {
        ok: false,
        problem: `the report measured no lines (total.lines.pct is ${JSON.stringify(pct)})`,
      };
    }
    if (total !== undefined && covered !== undefined) {
      return { ok: true, report: coverageOf("istanbul", covered, total, (covered * 100) / total) };
    }
    return { ok: true, report: coverageOf("istanbul", null, null, pct) };
  }
  const coveragePy = CoveragePySchema.safeParse(json);
  if (coveragePy.success) {
    const { covered_lines: covered, num_statements: total } = coveragePy.data.totals;
    if (total === 0)
      return { ok: false, problem: "the report measured no lines (totals.num_statements is 0)" };
    return { ok: true, report: coverageOf("coverage.py", covered, total, (covered * 100) / total) };
  }
  const hasIstanbulShape = typeof json === "object" && json !== null && "total" in json;
  return {
    ok: false,
    problem: zodProblem(
      hasIstanbulShape ? istanbul.error : coveragePy.error,
      "a coverage report (Istanbul's total.lines or coverage.py's totals)",
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// SARIF

/** SARIF result levels. */
export type SarifLevel = "error" | "warning" | "note" | "none";

/** Security severity, from `security-severity` (a CVSS-like score) or bandit's issue_severity. */
export type SecuritySeverity = "critical" | "high" | "medium" | "low" | "none";

/** One SARIF result. */
export interface SarifFinding {
  readonly tool: string;
  readonly ruleId: string | null;
  readonly level: SarifLevel;
  readonly severity: SecuritySeverity | null;
  /** The `security-severity` score, when the result or its rule has one. */
  readonly score: number | null;
  readonly message: string;
  /** `path:line` of the first location. */
  readonly location: string | null;
}

/** The results of a SARIF 2.1.0 log (bandit -f sarif, ruff --output-format sarif), suppressed ones left out. */
export interface SarifReport {
  readonly format: "sarif";
  readonly tools: readonly string[];
  readonly byLevel: Readonly<Record<SarifLevel, number>>;
  readonly bySeverity: Readonly<Record<SecuritySeverity | "unknown", number>>;
  readonly suppressed: number;
  /** Tools whose invocation says it did not run to the end (executionSuccessful: false). */
  readonly incomplete: readonly string[];
  readonly findings: readonly SarifFinding[];
}

const LevelSchema = z.enum(["error", "warning", "note", "none"]);
const PropertiesSchema = z.record(z.string(), z.unknown()).optional();
const SarifRuleSchema = z.object({
  id: z.string(),
  properties: PropertiesSchema,
  defaultConfiguration: z.object({ level: LevelSchema.optional() }).optional(),
});
const SarifResultSchema = z.object({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  rule: z.object({ id: z.string().optional(), index: z.number().int().optional() }).optional(),
  level: LevelSchema.optional(),
  message: z.object({ text: z.string().optional() }),
  locations: z
    .array(
      z.object({
        physicalLocation: z
          .object({
            artifactLocation: z.object({ uri: z.string().optional() }).optional(),
            region: z.object({ startLine: z.number().int().optional() }).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  properties: PropertiesSchema,
  suppressions: z.array(z.unknown()).optional(),
});
const SarifLogSchema = z.object({
  version: z.string(),
  runs: z.array(
    z.object({
      tool: z.object({ driver: z.object({ name: z.string(), rules: z.array(SarifRuleSchema).optional() }) }),
      invocations: z.array(z.object({ executionSuccessful: z.boolean().optional() })).optional(),
      results: z.array(SarifResultSchema).optional(),
    }),
  ),
});

/** GitHub's bands of a security-severity score: critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0. */
export function severityOfScore(score: number): SecuritySeverity {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  if (score > 0) return "low";
  return "none";
}

function scoreOf(properties: Record<string, unknown> | undefined): number | null {
  const raw = properties?.["security-severity"];
  const score = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
  return Number.isFinite(score) && score >= 0 ? score : null;
}

function banditSeverity(properties: Record<string, unknown> | undefined): SecuritySeverity | null {
  const raw = properties?.issue_severity;
  if (typeof raw !== "string") return null;
  const value = raw.toLowerCase();
  return value === "critical" || value === "high" || value === "medium" || value === "low" ? value : null;
}

/** Reads a SARIF 2.1.0 log: every run's results with level and security severity. */
export function parseSarif(text: string): Parsed<SarifReport> {
  if (text.trim() === "") return { ok: false, problem: "the file is empty" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const log = SarifLogSchema.safeParse(json);
  if (!log.success) return { ok: false, problem: zodProblem(log.error, "a SARIF log") };
  if (log.data.version !== "2.1.0") {
    return { ok: false, problem: `SARIF version ${log.data.version}, not 2.1.0` };
  }
  if (log.data.runs.length === 0) return { ok: false, problem: "the SARIF log has no runs" };
  const byLevel: Record<SarifLevel, number> = { error: 0, warning: 0, note: 0, none: 0 };
  const bySeverity: Record<SecuritySeverity | "unknown", number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    none: 0,
    unknown: 0,
  };
  const findings: SarifFinding[] = [];
  const incomplete: string[] = [];
  let suppressed = 0;
  for (const run of log.data.runs) {
    const tool = run.tool.driver.name;
    const rules = run.tool.driver.rules ?? [];
    if ((run.invocations ?? []).some((i) => i.executionSuccessful === false)) incomplete.push(tool);
    for (const result of run.results ?? []) {
      if ((result.suppressions ?? []).length > 0) {
        suppressed += 1;
        continue;
      }
      const ruleId = result.ruleId ?? result.rule?.id ?? null;
      const index = result.ruleIndex ?? result.rule?.index;
      const rule = (index === undefined ? undefined : rules[index]) ?? rules.find((r) => r.id === ruleId);
      // SARIF's default level is "warning" unless the rule configures another.
      const level = result.level ?? rule?.defaultConfiguration?.level ?? "warning";
      const score = scoreOf(result.properties) ?? scoreOf(rule?.properties);
      const severity =
        score === null
          ? (banditSeverity(result.properties) ?? banditSeverity(rule?.properties))
          : severityOfScore(score);
      const physical = result.locations?.[0]?.physicalLocation;
      const uri = physical?.artifactLocation?.uri;
      const line = physical?.region?.startLine;
      byLevel[level] += 1;
      bySeverity[severity ?? "unknown"] += 1;
      findings.push({
        tool,
        ruleId,
        level,
        severity,
        score,
        message: clip(result.message.text ?? ""),
        location: uri === undefined ? null : line === undefined ? uri : `${uri}:${line}`,
      });
    }
  }
  return {
    ok: true,
    report: {
      format: "sarif",
      tools: log.data.runs.map((r) => r.tool.driver.name),
      byLevel,
      bySeverity,
      suppressed,
      incomplete,
      findings,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading a folder

function readEvidence<T>(
  dir: string,
  kind: EvidenceKind,
  parse: (format: EvidenceFormat, text: string) => Parsed<T>,
): EvidenceRead<T> {
  const location = locateEvidence(dir, kind);
  if (location.status === "missing") return location;
  const { status: _, ...found } = location;
  let text: string;
  try {
    text = readFileSync(location.path, "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
    return { ...found, status: "unreadable", problem: `cannot be read (${code})` };
  }
  const parsed = parse(location.format, text);
  return parsed.ok
    ? { ...found, status: "read", report: parsed.report }
    : { ...found, status: "unreadable", problem: parsed.problem };
}

/** Reads a JUnit test report of the kind from the evidence folder. */
export function readTestReport(dir: string, kind: TestReportKind): EvidenceRead<JUnitReport> {
  return readEvidence(dir, kind, (_, text) => parseJUnitXml(text));
}

/** Reads the coverage report (coverage.xml, else coverage.json) from the evidence folder. */
export function readCoverageReport(dir: string): EvidenceRead<CoverageReport> {
  return readEvidence(dir, "coverage", (format, text) =>
    format === "cobertura" ? parseCoberturaXml(text) : parseCoverageJson(text),
  );
}

/** Reads the security scan (security.sarif) from the evidence folder. */
export function readSecurityScan(dir: string): EvidenceRead<SarifReport> {
  return readEvidence(dir, "security", (_, text) => parseSarif(text));
}

/** Reads the lint report (lint.xml as JUnit, else lint.sarif) from the evidence folder. */
export function readLintReport(dir: string): EvidenceRead<JUnitReport | SarifReport> {
  return readEvidence<JUnitReport | SarifReport>(dir, "lint", (format, text) =>
    format === "sarif" ? parseSarif(text) : parseJUnitXml(text),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Judges

function evidenceOf<T>(result: EvidenceRead<T>): Record<string, unknown> {
  return { ciEvidence: result };
}

/** The finding for a file that is missing or cannot be used. */
function notRead(result: EvidenceMissing | EvidenceUnreadable): Finding {
  if (result.status === "missing") return failed(missingAttestationReason(result), { ciEvidence: result });
  return failed(
    `${CI_EVIDENCE_FILES[result.kind].title}: ${result.file} in ${result.dir} cannot be used: ${result.problem}. A report the harness cannot read attests nothing; regenerate it with \`${result.command}\` in the service's CI.`,
    { ciEvidence: result },
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function caseLabel(test: FailingTest, kind: EvidenceKind): string {
  // mypy writes line="1" for its single case; the line means nothing there.
  if (kind === "type-check") return test.name;
  const name = test.classname ? `${test.classname}::${test.name}` : test.name;
  return test.line === null ? name : `${name} (line ${test.line})`;
}

function listFailing(report: JUnitReport, kind: EvidenceKind): string {
  const shown = report.failing.map((t) => {
    // mypy's message attribute is generic ("mypy produced messages"); its text has the errors.
    const message = kind === "type-check" && t.detail !== "" ? t.detail.split("\n").join(" | ") : t.message;
    return message === "" ? caseLabel(t, kind) : `${caseLabel(t, kind)}: ${message}`;
  });
  const more = Math.max(0, report.failures + report.errors - shown.length);
  return `${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}

/** A JUnit report passes with at least one test and no failure or error; a missing file is a missing attestation. */
export function judgeTestReport(kind: TestReportKind, result: EvidenceRead<JUnitReport>): Finding {
  if (result.status !== "read") return notRead(result);
  const { report, file, dir, command } = result;
  const title = CI_EVIDENCE_FILES[kind].title;
  const evidence = evidenceOf(result);
  if (report.tests === 0) {
    return failed(
      `${title} ran no tests: ${file} in ${dir} reports 0 tests, so it attests nothing. Check that \`${command}\` collects the service's tests (a wrong path or marker collects none) and rerun it.`,
      evidence,
    );
  }
  const bad = report.failures + report.errors;
  if (bad > 0) {
    return failed(
      `${title} failed: ${plural(report.failures, "failure")} and ${plural(report.errors, "error")} in ${plural(report.tests, "test")} (${file} in ${dir}): ${listFailing(report, kind)}. Fix them in the service repository and rerun \`${command}\` before promoting.`,
      evidence,
    );
  }
  return passed(
    `${title} passed: ${plural(report.tests, "test")}, 0 failures, 0 errors${report.skipped > 0 ? `, ${report.skipped} skipped` : ""} (${file} in ${dir}).`,
    evidence,
  );
}

/** A coverage threshold of the runbook: ">=" 80 (tenant-deploy 3.1) or ">" 80 (access-promotion 3.1). */
export interface CoverageThreshold {
  readonly comparison: ">=" | ">";
  readonly value: number;
}

/** Line coverage meets the threshold, compared on the exact figure (shown truncated, never rounded up). */
export function judgeCoverage(result: EvidenceRead<CoverageReport>, threshold: CoverageThreshold): Finding {
  if (result.status !== "read") return notRead(result);
  const { report, file, dir, command } = result;
  const evidence = { ...evidenceOf(result), threshold };
  const meets =
    threshold.comparison === ">=" ? report.percent >= threshold.value : report.percent > threshold.value;
  const wanted = `${threshold.comparison === ">=" ? "at least" : "more than"} ${threshold.value}%`;
  const exact = truncatePercent(report.percent, 4).replace(/0+$/, "").replace(/\.$/, "");
  const shown =
    Number(exact) === Number(report.percentText)
      ? `${report.percentText}%`
      : `${report.percentText}% (${exact}% before truncation)`;
  const lines =
    report.coveredLines !== null && report.totalLines !== null
      ? `, ${report.coveredLines} of ${report.totalLines} lines`
      : "";
  if (meets) {
    return passed(`Line coverage is ${shown}${lines} (${file} in ${dir}), ${wanted} as required.`, evidence);
  }
  return failed(
    `Line coverage is ${shown}${lines} (${file} in ${dir}), not ${wanted} as the runbook requires. Add unit tests in the service repository and rerun \`${command}\`; the harness reads the percent as written and never rounds it up.`,
    evidence,
  );
}

function findingLabel(f: SarifFinding): string {
  const where = f.location === null ? "" : ` at ${f.location}`;
  const severity = f.severity === null ? "" : `, ${f.severity}${f.score === null ? "" : ` ${f.score}`}`;
  return `${f.ruleId ?? "(no rule)"}${where} (${f.level}${severity})`;
}

function listFindings(findings: readonly SarifFinding[], label = findingLabel): string {
  const shown = findings.slice(0, MAX_LISTED).map(label);
  const more = findings.length - shown.length;
  return `${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}

/** Whether a SARIF result blocks a promotion: level error, or security severity high or critical. */
export function isBlockingFinding(f: SarifFinding): boolean {
  return f.level === "error" || f.severity === "high" || f.severity === "critical";
}

/** The security scan passes with no result at level error and none of high or critical severity. */
export function judgeSecurityScan(result: EvidenceRead<SarifReport>): Finding {
  if (result.status !== "read") return notRead(result);
  const { report, file, dir, command } = result;
  const evidence = evidenceOf(result);
  const tools = report.tools.join(", ");
  if (report.incomplete.length > 0) {
    return failed(
      `Security scan did not complete: ${report.incomplete.join(", ")} reports executionSuccessful false in ${file} in ${dir}, so files may be unscanned. Fix the scan's errors and rerun \`${command}\`.`,
      evidence,
    );
  }
  const blocking = report.findings.filter(isBlockingFinding);
  const others = report.findings.filter((f) => !isBlockingFinding(f));
  const othersText =
    others.length === 0
      ? ""
      : ` ${plural(others.length, "lower finding")} ${others.length === 1 ? "does" : "do"} not block: ${listFindings(others)}.`;
  if (blocking.length > 0) {
    return failed(
      `Security scan found ${plural(blocking.length, "blocking result")} (level error, or high or critical severity) in ${file} in ${dir} (${tools}): ${listFindings(blocking)}.${othersText} Fix them in the service repository, or suppress a false positive with a justification (# nosec B<id>), and rerun \`${command}\`.`,
      evidence,
    );
  }
  return passed(
    `Security scan passed: no result at level error and none of high or critical severity in ${file} in ${dir} (${tools}, ${plural(report.findings.length, "result")}${report.suppressed > 0 ? `, ${report.suppressed} suppressed` : ""}).${othersText}`,
    evidence,
  );
}

/** The lint report (JUnit or SARIF) passes with zero findings. */
export function judgeLintReport(result: EvidenceRead<JUnitReport | SarifReport>): Finding {
  if (result.status !== "read") return notRead(result);
  const { report, file, dir, command } = result;
  const evidence = evidenceOf(result);
  const found = report.format === "junit" ? report.failures + report.errors : report.findings.length;
  if (found === 0) return passed(`Lint passed: no findings in ${file} in ${dir}.`, evidence);
  const list =
    report.format === "junit"
      ? listFailing(report, "lint")
      : listFindings(
          report.findings,
          (f) =>
            `${f.ruleId ?? "(no rule)"}${f.location === null ? "" : ` at ${f.location}`}${f.message === "" ? "" : `: ${f.message}`}`,
        );
  return failed(
    `Lint found ${plural(found, "problem")} in ${file} in ${dir}: ${list}. Fix them in the service repository (\`ruff check src/ --fix\` fixes many) and rerun \`${command}\`.`,
    evidence,
  );
}
