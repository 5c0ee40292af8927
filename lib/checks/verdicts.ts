/**
 * Verdict files as gate evidence (tenant runbook 6.1 and 7.1, access runbook 3.2.1 and 4.3.1): the source
 * environment's current bits must have a passing, fresh, complete, sealed smoke and post-deploy verdict.
 * The reader walks a folder of runs (reports/runs/<run id>/verdict*.json, each with its DSSE envelope
 * verdict*.dsse.json); the judge is pure. With trusted keys, a verdict gates only when its envelope is signed by
 * one of them and says what the verdict file says; without, the passing reason says signatures were not checked.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  envelopeFileFor,
  envelopeMatchesVerdict,
  type TrustedKey,
  verifyEnvelope,
} from "../verdict/envelope.ts";
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
  /** The DSSE envelope beside the verdict (envelopeFileFor), or null when there is none. */
  readonly envelope: EnvelopeFile | null;
}

/** A verdict's envelope file: its JSON (judged by verifyEnvelope), or why it could not be read. */
export type EnvelopeFile =
  | { readonly file: string; readonly json: unknown; readonly problem: null }
  | { readonly file: string; readonly json: null; readonly problem: string };

function readEnvelope(verdictFile: string): EnvelopeFile | null {
  const file = envelopeFileFor(verdictFile);
  if (!existsSync(file)) return null;
  try {
    return { file, json: JSON.parse(readFileSync(file, "utf8")), problem: null };
  } catch (error) {
    const detail = error instanceof SyntaxError ? "it is not valid JSON" : String(error);
    return { file, json: null, problem: `its envelope ${file} cannot be read: ${detail}` };
  }
}

// verdict.json and verdict-<project>.json; a shard's verdict.shard-1-of-2.json is not a gate verdict.
const GATE_VERDICT = /^verdict(-[a-z0-9-]+)?\.json$/;

/** One verdict file, read and schema-checked, with its report hash checked and its envelope read. */
export function readVerdictFile(file: string): VerdictFile {
  try {
    const verdict = readVerdict(file);
    const reportIntact =
      verdict.reportSha256 === null ? null : computeReportSha256(dirname(file)) === verdict.reportSha256;
    return { file, verdict, problem: null, reportIntact, envelope: readEnvelope(file) };
  } catch (error) {
    return {
      file,
      verdict: null,
      problem: error instanceof Error ? error.message : String(error),
      reportIntact: null,
      envelope: null,
    };
  }
}

/** Every gate verdict under `dir` (one folder per run), read and schema-checked; an absent folder is none. */
export function readVerdictFiles(dir: string): VerdictFile[] {
  if (!existsSync(dir)) return [];
  const out: VerdictFile[] = [];
  for (const run of readdirSync(dir, { withFileTypes: true })) {
    if (!run.isDirectory()) continue;
    const runDir = join(dir, run.name);
    for (const name of readdirSync(runDir)) {
      if (GATE_VERDICT.test(name)) out.push(readVerdictFile(join(runDir, name)));
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
  /**
   * The keys a verdict's envelope must be signed by, and where they came from (for the reasons); null when none
   * are configured: verdicts then gate unsigned, and the passing reason says so.
   */
  readonly trustedKeys: { readonly source: string; readonly keys: readonly TrustedKey[] } | null;
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
  return input.trustedKeys === null ? null : signatureRefusal(file, verdict, input.trustedKeys);
}

/** Why a verdict file is not authentic evidence (unreadable, report changed, signature refused), or null. */
function inauthentic(file: VerdictFile, input: SourceVerdictsInput): string | null {
  if (!file.verdict) return file.problem ?? "unreadable";
  if (file.reportIntact === false)
    return "its run folder no longer hashes to the verdict's reportSha256: the report was changed after the verdict";
  return input.trustedKeys === null ? null : signatureRefusal(file, file.verdict, input.trustedKeys);
}

/** Why a verdict's envelope does not vouch for it under the trusted keys, or null when it does. */
function signatureRefusal(
  file: VerdictFile,
  verdict: Verdict,
  trusted: NonNullable<SourceVerdictsInput["trustedKeys"]>,
): string | null {
  const { envelope } = file;
  if (envelope === null) {
    return `it is unsigned: there is no envelope ${envelopeFileFor(file.file)} beside it, and the gate requires verdicts signed by a trusted key (${trusted.source})`;
  }
  if (envelope.problem !== null) return envelope.problem;
  const verification = verifyEnvelope(envelope.json, trusted.keys);
  if (!verification.verified) {
    const what =
      verification.kind === "untrusted-key"
        ? "is not signed by a trusted key"
        : verification.kind === "bad-signature"
          ? "has a bad signature (the envelope was changed after it was signed)"
          : "is refused";
    return `its envelope ${envelope.file} ${what}: ${verification.reason} (trusted keys: ${trusted.source})`;
  }
  const match = envelopeMatchesVerdict(verification.statement, verdict);
  if (!match.matches) {
    return `its envelope ${envelope.file} does not match the verdict file (was the verdict edited after it was signed?): ${match.reasons.join("; ")}`;
  }
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
  // The newest authentic complete run for these bits decides: a failed or inconclusive run is not outweighed
  // by an older pass; a file that is not authentic (report changed, unsigned, bad signature) is no evidence
  // either way; a run narrowed on purpose (partial) decides only when there is no complete one.
  const forBits = ofSuite.filter((f) => f.verdict?.codeSha256 === input.codeSha256);
  const authentic = forBits.filter((f) => inauthentic(f, input) === null);
  const decisive = authentic.find((f) => f.verdict?.scope.complete === true) ?? authentic[0] ?? forBits[0];
  const usable = decisive && refusal(decisive, input, suite) === null ? decisive : undefined;
  if (usable?.verdict) {
    const signature =
      input.trustedKeys === null
        ? " Its signature was not checked: no trusted verdict keys are configured (HARNESS_VERDICT_TRUSTED_KEYS); set them, since a promotion will require signed verdicts."
        : ` Its envelope ${envelopeFileFor(usable.file)} is signed by a trusted key (${input.trustedKeys.source}).`;
    return passed(
      `${input.environmentName}'s ${suite} verdict ${usable.file} passed for these bits at ${usable.verdict.endedAt} (run ${usable.verdict.runId}).${signature}`,
      { ...evidence, used: usable.file, signatureChecked: input.trustedKeys !== null },
    );
  }
  const sameBits = forBits;
  const newest = decisive ?? ofSuite[0];
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
