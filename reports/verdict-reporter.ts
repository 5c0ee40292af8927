/**
 * The project's own reporter: turns the run's results into the verdict (lib/verdict) and writes it, with
 * the evidence it points to, into the run folder. Works the same on a live run and on
 * `playwright merge-reports`, so a sharded run's merged verdict equals an unsharded one.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type {
  FullConfig,
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestError,
  TestResult,
} from "@playwright/test/reporter";
import { z } from "zod";
import { decideAttestedItem } from "../lib/checks/attestations.ts";
import { gateSettings, loadHarnessConfig } from "../lib/config/index.ts";
import { redact } from "../lib/redact/index.ts";
import {
  GUARD_TAG,
  harnessCommit,
  type ParsedProject,
  parseProjectName,
  parseShard,
  projectName,
  RUN_ENV,
  RUN_LAYOUT,
  repoRoot,
} from "../lib/run/index.ts";
import {
  type AttestedDecision,
  attestedItemsInScope,
  buildVerdict,
  combinedCodeSha256,
  computeReportSha256,
  envelopeFileFor,
  FunctionUnderTestSchema,
  GUARD_ATTACHMENT,
  type Guard,
  GuardSchema,
  type LoadedSigningKey,
  loadSigningKey,
  outcomeWord,
  type RawTest,
  VERDICT_KEY_ENV,
  type Verdict,
  VerdictKeyMissingError,
  VerdictNotSignableError,
  VerdictSchema,
  writeVerdictEnvelope,
} from "../lib/verdict/index.ts";
import { type EnvironmentId, environments, runbooks } from "../runbooks/index.ts";

export type VerdictReporterOptions = {
  /** Run folder; defaults to $HARNESS_RUN_DIR. */
  runDir?: string;
  /** Attestations folder; defaults to $HARNESS_ATTESTATIONS_DIR, then <repo>/attestations. */
  attestationsDir?: string;
};

const VersionAttachmentSchema = z.object({ functions: z.array(FunctionUnderTestSchema) });
const RunContextSchema = z.object({
  runId: z.string(),
  target: z.string().nullable(),
  harnessCommit: z.string().nullable(),
});
type RunContext = z.infer<typeof RunContextSchema>;
const ProjectMetadataSchema = z.object({
  suite: z.string(),
  env: z.string(),
  service: z.string(),
});

type Group = { project: string; parsed: ParsedProject; tests: TestCase[] };

/** The environment's settings with the run's overrides; a broken config (reported by the fixtures) falls back to the runbook's. */
function environmentFor(envId: EnvironmentId) {
  try {
    return loadHarnessConfig({}).environments[envId];
  } catch {
    return environments[envId];
  }
}

/** How the runner narrowed the run on purpose (HARNESS_NARROWED_BY, a JSON array of strings). */
function narrowedBy(): string[] {
  const raw = process.env[RUN_ENV.narrowedBy];
  if (!raw) return [];
  const parsed = z.array(z.string()).safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : [`${RUN_ENV.narrowedBy}=${raw}`];
}

/** The exit code of several verdicts: interruption, then configuration errors, failures, no data; else 0. */
function worstExitCode(codes: readonly number[]): number {
  for (const code of [130, 2, 1, 3]) if (codes.includes(code)) return code;
  return 0;
}

function firstLine(text: string): string {
  return (
    stripVTControlCharacters(text)
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "") ?? ""
  );
}

function errorText(error: TestError): string {
  return redact(firstLine(error.message ?? error.value ?? "error"));
}

function slug(text: string, max = 80): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
  return `${cleaned.slice(0, max)}-${hash}`;
}

function extensionFor(contentType: string): string {
  if (contentType.includes("json")) return ".json";
  if (contentType.startsWith("text/html")) return ".html";
  if (contentType.startsWith("text/markdown")) return ".md";
  if (contentType.startsWith("text/")) return ".txt";
  return "";
}

function isText(contentType: string): boolean {
  return /^text\/|json|xml|ndjson|yaml|markdown/.test(contentType);
}

/** Reads the project a test belongs to from its metadata, or from its name. */
function projectOf(test: TestCase): { name: string; parsed: ParsedProject | null } {
  const project = test.parent.project();
  const name = project?.name ?? "";
  const meta = ProjectMetadataSchema.safeParse(project?.metadata);
  if (meta.success) {
    const fromMeta = parseProjectName(projectName(meta.data.suite, meta.data.env, meta.data.service));
    if (fromMeta) return { name, parsed: fromMeta };
  }
  return { name, parsed: parseProjectName(name) };
}

/** The same test could arrive more than once on merge (from several shards' blobs); fold the copies. */
function foldCopies(
  tests: TestCase[],
): { test: TestCase; results: TestResult[]; outcome: RawTest["outcome"] }[] {
  const byId = new Map<string, TestCase[]>();
  for (const test of tests) {
    // Copies of one test from different shards have different ids; project, title path and line match.
    const key = `${test.titlePath().slice(1).join("\u0000")}:${test.location.line}`;
    byId.set(key, [...(byId.get(key) ?? []), test]);
  }
  return [...byId.values()].flatMap((copies) => {
    const [first] = copies;
    if (!first) return [];
    const outcomes = copies.map((copy) => copy.outcome());
    const outcome: RawTest["outcome"] = outcomes.includes("unexpected")
      ? "unexpected"
      : outcomes.includes("flaky")
        ? "flaky"
        : outcomes.every((o) => o === "skipped")
          ? "skipped"
          : "expected";
    return [{ test: first, results: copies.flatMap((copy) => copy.results), outcome }];
  });
}

export default class VerdictReporter implements Reporter {
  readonly #runDir: string;
  readonly #attestationsDir: string;
  #config: FullConfig | undefined;
  #suite: Suite | undefined;
  readonly #errors: string[] = [];
  readonly #written: string[] = [];

  constructor(options: VerdictReporterOptions = {}) {
    const runDir = options.runDir ?? process.env[RUN_ENV.runDir];
    if (!runDir) {
      throw new Error(
        "The verdict reporter has no run folder: set HARNESS_RUN_DIR (npm run verify and playwright.config.ts do) or pass { runDir }.",
      );
    }
    this.#runDir = runDir;
    this.#attestationsDir = options.attestationsDir ?? gateSettings("").attestationsDir;
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.#config = config;
    this.#suite = suite;
  }

  onError(error: TestError): void {
    this.#errors.push(errorText(error));
  }

  async onEnd(result: FullResult): Promise<void> {
    mkdirSync(this.#runDir, { recursive: true });
    const all = this.#suite?.allTests() ?? [];
    const groups = new Map<string, Group>();
    for (const test of all) {
      const { name, parsed } = projectOf(test);
      if (!parsed) continue;
      const group = groups.get(name) ?? { project: name, parsed, tests: [] };
      group.tests.push(test);
      groups.set(name, group);
    }
    // A run whose specs failed to load has no tests; the runner names the project so a verdict still says why.
    const named = process.env.HARNESS_PROJECT;
    const parsedNamed = named ? parseProjectName(named) : null;
    if (named && parsedNamed && !groups.has(named)) {
      groups.set(named, { project: named, parsed: parsedNamed, tests: [] });
    }

    const shard = this.#config?.shard
      ? parseShard(`${this.#config.shard.current}/${this.#config.shard.total}`)
      : null;
    const shardSuffix = shard ? `.shard-${shard.current}-of-${shard.total}` : "";
    const single = groups.size === 1;
    for (const group of groups.values()) {
      const verdict = await this.#verdictFor(group, result, shard ? `${shard.current}/${shard.total}` : null);
      const file = single ? `verdict${shardSuffix}.json` : `verdict-${group.project}${shardSuffix}.json`;
      writeFileSync(join(this.#runDir, file), `${JSON.stringify(VerdictSchema.parse(verdict), null, 2)}\n`);
      this.#written.push(file);
    }
  }

  /**
   * Seals each verdict with the hash of the report files, now that every reporter has finished writing, and
   * makes the process exit with the verdict's code: Playwright itself knows only 0, 1 and 130, and a run's
   * exit code, its verdict file and its printed word must agree (README's exit-code table).
   */
  async onExit(): Promise<void> {
    if (this.#written.length === 0) return;
    const reportSha256 = computeReportSha256(this.#runDir);
    const verdicts: Verdict[] = [];
    for (const file of this.#written) {
      const path = join(this.#runDir, file);
      const verdict = VerdictSchema.parse({ ...JSON.parse(readFileSync(path, "utf8")), reportSha256 });
      writeFileSync(path, `${JSON.stringify(verdict, null, 2)}\n`);
      verdicts.push(verdict);
    }
    const signed = this.#sign(verdicts);
    const code = worstExitCode(verdicts.map((verdict) => verdict.exitCode));
    // Playwright ends with process.exit(0|1|130); an exit listener may still set the code the process exits with.
    process.once("exit", () => {
      process.exitCode = code;
    });
    if (process.env[RUN_ENV.verifyRunner]) return;
    // Run directly (npx playwright test, merge-reports): say the verdict here, since no runner will.
    for (const [index, verdict] of verdicts.entries()) {
      const file = relative(process.cwd(), join(this.#runDir, this.#written[index] ?? RUN_LAYOUT.verdict));
      process.stdout.write(
        `Verdict: ${outcomeWord(verdict)} (exit ${verdict.exitCode})  ${verdict.suite} on ${verdict.environment}, ${verdict.service}  ${file}\n`,
      );
      if (verdict.outcome !== "passed")
        for (const reason of verdict.reasons) process.stdout.write(`  ${reason}\n`);
      const envelope = signed.get(index);
      if (envelope) process.stdout.write(`  signed: ${relative(process.cwd(), envelope)}\n`);
    }
  }

  /**
   * Writes each sealed verdict's DSSE envelope (verdict.dsse.json beside verdict.json) when a signing key is
   * configured; returns the envelope paths by verdict index. Signing never changes a verdict or the exit code:
   * a verdict that cannot be signed, or a configured key that cannot be read, is said in one line on stderr and
   * leaves the verdict unsigned, which a gate with trusted keys refuses. `npm run verify` checks the key before
   * the run, so there a broken key is a configuration error (exit 2) before any test runs.
   */
  #sign(verdicts: readonly Verdict[]): Map<number, string> {
    const signed = new Map<number, string>();
    const paths = this.#written.map((file) => join(this.#runDir, file));
    // An envelope left from an earlier run in this folder would vouch for a verdict it no longer matches.
    for (const path of paths) rmSync(envelopeFileFor(path), { force: true });
    let key: LoadedSigningKey;
    try {
      key = loadSigningKey();
    } catch (error) {
      if (error instanceof VerdictKeyMissingError) {
        if (process.env[RUN_ENV.verifyRunner]) {
          process.stderr.write(
            `verdict: not signed (neither ${VERDICT_KEY_ENV.file} nor ${VERDICT_KEY_ENV.pem} is set)\n`,
          );
        }
      } else {
        process.stderr.write(
          `verdict: not signed: ${redact(firstLine(error instanceof Error ? error.message : String(error)))}\n`,
        );
      }
      return signed;
    }
    for (const [index, verdict] of verdicts.entries()) {
      const path = paths[index];
      if (path === undefined) continue;
      try {
        signed.set(index, writeVerdictEnvelope(path, verdict, key.key));
      } catch (error) {
        if (!(error instanceof VerdictNotSignableError)) throw error;
        process.stderr.write(
          `verdict: ${relative(process.cwd(), path)} is not signed: ${error.problems.join("; ")}\n`,
        );
      }
    }
    return signed;
  }

  async #verdictFor(group: Group, result: FullResult, shard: string | null): Promise<Verdict> {
    const folded = foldCopies(group.tests);
    const raw = folded.map(({ test, results, outcome }) => this.#rawTest(test, results, outcome));
    // Each worker records its guard on its first test; the guard test records its own run of it.
    const { guard, functions, context } = this.#guardOf(
      folded.flatMap((entry) => entry.results),
      folded.filter((entry) => entry.test.tags.includes(GUARD_TAG)).flatMap((entry) => entry.results),
    );
    const environment = environmentFor(group.parsed.env);
    const startedAt = result.startTime;
    const endedAt = new Date(startedAt.getTime() + result.duration);
    const attestations = await this.#attestations(group, environment, combinedCodeSha256(functions), endedAt);
    return buildVerdict({
      service: group.parsed.service,
      environment: group.parsed.env,
      suite: group.parsed.suite,
      // A live run knows these from its environment; a merge learns them from the shards' guard records.
      target:
        process.env[RUN_ENV.target] || context?.target || String(this.#config?.metadata.target ?? "unknown"),
      runId: process.env[RUN_ENV.runId] || context?.runId || basename(this.#runDir),
      harnessCommit:
        process.env[RUN_ENV.harnessCommit] ||
        context?.harnessCommit ||
        String(this.#config?.metadata.harnessCommit ?? "") ||
        harnessCommit(),
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      runbooks,
      tests: raw,
      guard,
      functions,
      attestations,
      globalErrors: this.#errors,
      runStatus: result.status,
      now: endedAt,
      narrowedBy: narrowedBy(),
      shard,
      acceptFlaky: environment.policy.acceptFlaky,
      environmentName: environment.displayName,
    });
  }

  /**
   * Every attested item of the verdict's scope, read and verified (SSH signature, role, bits, expiry, approvals)
   * for the bits the run tested: the pre-promotion gate's approvals bind the source's CodeSha256.
   */
  async #attestations(
    group: Group,
    environment: ReturnType<typeof environmentFor>,
    codeSha256: string | null,
    now: Date,
  ): Promise<Map<string, AttestedDecision>> {
    const settings = { ...gateSettings(group.parsed.service), attestationsDir: this.#attestationsDir };
    const items = attestedItemsInScope(runbooks, group.parsed.service, group.parsed.env, group.parsed.suite);
    const decided = await Promise.all(
      items.map(async (item): Promise<[string, AttestedDecision]> => {
        try {
          const decision = await decideAttestedItem({
            settings,
            environment,
            serviceId: group.parsed.service,
            item,
            codeSha256,
            now,
          });
          return [item.id, decision];
        } catch (error) {
          return [
            item.id,
            {
              status: "missing-attestation",
              reason: `its attestations could not be checked: ${redact(error instanceof Error ? error.message : String(error))}`,
            },
          ];
        }
      }),
    );
    return new Map(decided);
  }

  #guardOf(
    results: TestResult[],
    guardTestResults: TestResult[],
  ): {
    guard: Guard;
    functions: z.infer<typeof FunctionUnderTestSchema>[];
    context: RunContext | undefined;
  } {
    let guard: Guard | undefined;
    let functions: z.infer<typeof FunctionUnderTestSchema>[] = [];
    let context: RunContext | undefined;
    for (const result of results) {
      for (const attachment of result.attachments) {
        const text = this.#attachmentText(attachment);
        if (text === null) continue;
        if (attachment.name === GUARD_ATTACHMENT.guard) {
          const parsed = GuardSchema.safeParse(JSON.parse(text));
          // A failure in any shard wins over a pass; the first failure is kept.
          if (parsed.success && (guard === undefined || guard.status === "passed")) guard = parsed.data;
        } else if (attachment.name === GUARD_ATTACHMENT.version) {
          const parsed = VersionAttachmentSchema.safeParse(JSON.parse(text));
          if (parsed.success) functions = parsed.data.functions;
        } else if (attachment.name === GUARD_ATTACHMENT.runContext) {
          const parsed = RunContextSchema.safeParse(JSON.parse(text));
          if (parsed.success) context ??= parsed.data;
        }
      }
    }
    if (guard) return { guard, functions, context };
    const failed = guardTestResults.find((r) => r.status !== "passed" && r.status !== "skipped");
    if (failed) {
      const message = failed.errors[0] ? errorText(failed.errors[0]) : `the guard ended ${failed.status}`;
      return { guard: { status: "failed", kind: "error", message }, functions, context };
    }
    return { guard: { status: "not-run" }, functions, context };
  }

  #attachmentText(attachment: TestResult["attachments"][number]): string | null {
    if (attachment.body) return attachment.body.toString("utf8");
    if (attachment.path && existsSync(attachment.path)) return readFileSync(attachment.path, "utf8");
    return null;
  }

  #rawTest(test: TestCase, results: TestResult[], outcome: RawTest["outcome"]): RawTest {
    const last = results.at(-1);
    const { name: project } = projectOf(test);
    const titlePath = test.titlePath().slice(3);
    const evidence = this.#writeEvidence(project, titlePath.join(" > "), results);
    const firstError = last?.errors[0];
    const firstFailed = results.find((r) => r.status === "failed" || r.status === "timedOut");
    const firstFailure = firstFailed?.errors[0]
      ? errorText(firstFailed.errors[0])
      : firstFailed
        ? firstFailed.status
        : undefined;
    return {
      title: titlePath.join(" › "),
      file: relative(repoRoot, test.location.file).split(sep).join("/"),
      project,
      outcome,
      lastStatus: last ? last.status : null,
      annotations: [...test.annotations, ...(last?.annotations ?? [])],
      durationMs: results.reduce((sum, r) => sum + r.duration, 0),
      firstError: firstError ? errorText(firstError) : undefined,
      attempts: results.length,
      ...(outcome === "flaky" && firstFailure ? { firstFailure } : {}),
      evidence,
    };
  }

  /** Copies a test's attachments into <run>/evidence/<project>/<test>/ (text redacted) and returns the paths. */
  #writeEvidence(project: string, title: string, results: TestResult[]): string[] {
    const out: string[] = [];
    results.forEach((result, index) => {
      result.attachments.forEach((attachment, n) => {
        let content: Buffer | null = null;
        if (attachment.body) content = attachment.body;
        else if (attachment.path && existsSync(attachment.path)) content = readFileSync(attachment.path);
        if (content === null) return;
        const dir = join(RUN_LAYOUT.evidence, slug(project, 40), slug(title));
        const base = attachment.name.replace(/[^A-Za-z0-9._-]+/g, "_");
        const extension = /\.[A-Za-z0-9]+$/.test(base) ? "" : extensionFor(attachment.contentType);
        const name = `${results.length > 1 ? `r${index}-` : ""}${n}-${base}${extension}`;
        const rel = join(dir, name).split(sep).join("/");
        mkdirSync(join(this.#runDir, dir), { recursive: true });
        const body = isText(attachment.contentType) ? redact(content.toString("utf8")) : content;
        writeFileSync(join(this.#runDir, rel), body);
        out.push(rel);
      });
    });
    return out;
  }
}
