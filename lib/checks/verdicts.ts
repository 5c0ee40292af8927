/**
 * Verdict files as gate evidence (tenant runbook 6.1 and 7.1, access runbook 3.2.1 and 4.3.1): the source
 * environment's current bits must have a passing, fresh, complete, sealed smoke and post-deploy verdict.
 * The reader walks a folder of runs (reports/runs/<run id>/verdict*.json); the judge is pure.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isVerdictUsable } from "../verdict/policy.ts";
import { readVerdict } from "../verdict/read.ts";
import { computeReportSha256 } from "../verdict/report-hash.ts";
import type { Verdict } from "../verdict/schema.ts";
import { type Finding, failed, passed } from "./finding.ts";

/** One verdict file of a runs folder: its verdict, or why it could not be read, and whether its report is intact. */
export interface VerdictFile {
  readonly file: string;
  readonly verdict: Verdict | null;
  readonly problem: string | null;
  /** Whether the run folder still hashes to the verdict's reportSha256 (null when the verdict has none). */
  readonly reportIntact: boolean | null;
}

// verdict.json and verdict-<project>.json; a shard's verdict.shard-1-of-2.json is not a gate verdict.
const GATE_VERDICT = /^verdict(-[a-z0-9-]+)?\.json$/;

/** Every gate verdict under `dir` (one folder per run), read and schema-checked; an absent folder is none. */
export function readVerdictFiles(dir: string): VerdictFile[] {
  if (!existsSync(dir)) return [];
  const out: VerdictFile[] = [];
  for (const run of readdirSync(dir, { withFileTypes: true })) {
    if (!run.isDirectory()) continue;
    const runDir = join(dir, run.name);
    for (const name of readdirSync(runDir)) {
      if (!GATE_VERDICT.test(name)) continue;
      const file = join(runDir, name);
      try {
        const verdict = readVerdict(file);
        const reportIntact =
          verdict.reportSha256 === null ? null : computeReportSha256(runDir) === verdict.reportSha256;
        out.push({ file, verdict, problem: null, reportIntact });
      } catch (error) {
        out.push({
          file,
          verdict: null,
          problem: error instanceof Error ? error.message : String(error),
          reportIntact: null,
        });
      }
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

export interface SourceVerdictsInput {
  readonly service: string;
  /** The source environment whose verdicts are read (DEV for a promotion into SIT). */
  readonly environment: string;
  readonly environmentName: string;
  /** The bits the source serves now: the verdict's codeSha256 must be these. */
  readonly codeSha256: string | null;
  readonly suites: readonly string[];
  readonly maxAgeMs: number;
  readonly now: Date;
  readonly dir: string;
  readonly files: readonly VerdictFile[];
}

const endedAt = (file: VerdictFile) => (file.verdict ? Date.parse(file.verdict.endedAt) : 0);

/** Why one verdict file may not gate, or null when it may. */
function refusal(file: VerdictFile, input: SourceVerdictsInput, suite: string): string | null {
  const { verdict } = file;
  if (!verdict) return file.problem ?? "unreadable";
  const usable = isVerdictUsable(verdict, {
    service: input.service,
    env: input.environment,
    suite,
    codeSha256: input.codeSha256 ?? "",
    maxAgeMs: input.maxAgeMs,
    now: input.now,
  });
  if (!usable.usable) return usable.reason;
  if (file.reportIntact === false)
    return "its run folder no longer hashes to the verdict's reportSha256: the report was changed after the verdict";
  return null;
}

function verifyCommand(input: SourceVerdictsInput, suite: string): string {
  const service = input.service === "access-management" ? " --service access-management" : "";
  return `npm run verify -- --env ${input.environment} --suite ${suite}${service}`;
}

/** One suite's newest usable verdict for the source's bits, or why there is none. */
function judgeSuite(input: SourceVerdictsInput, suite: string): Finding {
  const ofSuite = input.files
    .filter(
      (f) =>
        f.verdict?.service === input.service &&
        f.verdict.environment === input.environment &&
        f.verdict.suite === suite,
    )
    .sort((a, b) => endedAt(b) - endedAt(a));
  const unreadable = input.files.filter((f) => f.verdict === null);
  const rerun = `Run \`${verifyCommand(input, suite)}\` against the bits ${input.environmentName} serves, then the gate again.`;
  const evidence = {
    suite,
    dir: input.dir,
    codeSha256: input.codeSha256,
    candidates: ofSuite.map((f) => ({
      file: f.file,
      outcome: f.verdict?.outcome,
      codeSha256: f.verdict?.codeSha256,
      endedAt: f.verdict?.endedAt,
    })),
    unreadable: unreadable.map((f) => ({ file: f.file, problem: f.problem })),
  };
  // Judged first: unknown bits must never match a verdict that recorded an empty CodeSha256.
  if (input.codeSha256 === null || input.codeSha256 === "") {
    return failed(
      `The bits ${input.environmentName} serves are unknown, so no ${suite} verdict can be matched to them. ${rerun}`,
      evidence,
    );
  }
  const usable = ofSuite.find((f) => refusal(f, input, suite) === null);
  if (usable?.verdict) {
    return passed(
      `${input.environmentName}'s ${suite} verdict ${usable.file} passed for these bits at ${usable.verdict.endedAt} (run ${usable.verdict.runId}).`,
      { ...evidence, used: usable.file },
    );
  }
  const sameBits = ofSuite.filter((f) => f.verdict?.codeSha256 === input.codeSha256);
  const newest = sameBits[0] ?? ofSuite[0];
  if (!newest) {
    const broken =
      unreadable.length > 0 ? ` (${unreadable.length} verdict file(s) there could not be read)` : "";
    return failed(
      `No ${suite} verdict of ${input.environmentName} for ${input.service} in ${input.dir}${broken}. ${rerun}`,
      evidence,
    );
  }
  return failed(
    `The newest ${suite} verdict of ${input.environmentName}${sameBits.length > 0 ? " for these bits" : ""}, ${newest.file}, does not gate: ${refusal(newest, input, suite)}. ${rerun}`,
    evidence,
  );
}

/** Every named suite has a usable verdict of the source environment for the bits it serves now. */
export function judgeSourceVerdicts(input: SourceVerdictsInput): Finding[] {
  return input.suites.map((suite) => judgeSuite(input, suite));
}
