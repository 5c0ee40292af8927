/**
 * The same-bits chain DEV -> SIT -> PROD, checked from the promotion records alone: every step promoted the
 * same CodeSha256, each was let in by signed, intact, passing verdicts for those bits (the source's smoke and
 * post-deploy, the target's pre-promotion), and each target's verification after the move passed for them.
 * A release manager or a test runs it on the records of one change; nothing here reads AWS.
 */
import { basename } from "node:path";
import type { ServiceId } from "../../runbooks/index.ts";
import { deploymentSuites } from "../checks/items.ts";
import { judgeSourceVerdicts, readVerdictFile, type VerdictFile } from "../checks/verdicts.ts";
import { loadTrustedKeys, verifyEnvelope } from "../verdict/envelope.ts";
import type { PromotionRecord } from "./promotion.ts";

/** One step of the chain as printed: where from, where to, the bits, and the verdicts behind it. */
export interface ChainLink {
  readonly from: string;
  readonly to: string;
  readonly codeSha256: string;
  readonly runId: string;
  /** The verdicts that let it in, as `env suite file`. */
  readonly gate: readonly string[];
  /** The target's verification verdicts after the move. */
  readonly verification: readonly string[];
}

export interface ChainCheck {
  readonly ok: boolean;
  readonly codeSha256: string | null;
  readonly links: readonly ChainLink[];
  /** Every break found, each naming the record and verdict. */
  readonly problems: readonly string[];
}

const ORDER = ["dev", "sit", "prod"];

/** Checks that `records` (one per step, any order) form one chain from DEV of the same bits, each step proven. */
export function verifyPromotionChain(options: {
  records: readonly PromotionRecord[];
  /** PEM public key file or folder the verdict envelopes must verify against. */
  trustedKeys: string;
  /** The steps the chain must have, e.g. ["sit", "prod"] (default: both). */
  targets?: readonly string[];
}): ChainCheck {
  const problems: string[] = [];
  const links: ChainLink[] = [];
  let keys: ReturnType<typeof loadTrustedKeys> = [];
  try {
    keys = loadTrustedKeys(options.trustedKeys);
  } catch (error) {
    problems.push(
      `the trusted keys cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const records = [...options.records].sort((a, b) => ORDER.indexOf(a.to) - ORDER.indexOf(b.to));
  const targets = options.targets ?? ["sit", "prod"];
  const missing = targets.filter((to) => !records.some((r) => r.to === to));
  if (missing.length > 0)
    problems.push(`no promotion record into ${missing.map((t) => t.toUpperCase()).join(", ")}`);
  const codeSha256 = records[0]?.codeSha256 ?? null;
  const trusted = { source: options.trustedKeys, keys };
  records.forEach((record, index) => {
    const name = `the ${record.from.toUpperCase()} -> ${record.to.toUpperCase()} record ${record.runId}`;
    const previous = records[index - 1];
    if (previous && previous.to !== record.from)
      problems.push(`${name} starts in ${record.from}, but the step before it ended in ${previous.to}`);
    if (!previous && record.from !== "dev") problems.push(`${name}: the chain does not start in DEV`);
    if (record.outcome !== "promoted") problems.push(`${name} ended ${record.outcome}: ${record.reason}`);
    if (record.codeSha256 !== codeSha256)
      problems.push(`${name} moved CodeSha256 ${record.codeSha256}, not ${codeSha256}: not the same bits`);
    if (records.some((other) => other !== record && other.service !== record.service))
      problems.push(`${name} is for ${record.service}; the chain mixes services`);
    const files = record.gateVerdicts.map(readVerdictFile);
    const gate: string[] = [];
    const required = [
      ...deploymentSuites(record.service as ServiceId).map((suite) => ({ env: record.from, suite })),
      { env: record.to, suite: "pre-promotion" },
    ];
    for (const { env, suite } of required) {
      const candidates = files.filter((f) => f.verdict?.environment === env && f.verdict.suite === suite);
      const [finding] = judgeSourceVerdicts({
        service: record.service,
        environment: env,
        environmentName: env.toUpperCase(),
        codeSha256: record.codeSha256,
        suites: [suite],
        // Age is the gate's question at the time it ran; the chain asks whether the evidence is authentic.
        maxAgeMs: Number.POSITIVE_INFINITY,
        now: new Date(record.startedAt),
        dir: "the record's gate verdicts",
        files: candidates,
        trustedKeys: trusted,
      });
      if (finding?.status === "passed" && typeof finding.evidence.used === "string")
        gate.push(`${env} ${suite} ${finding.evidence.used}`);
      else problems.push(`${name}: ${finding?.reason ?? `no ${env} ${suite} verdict`}`);
    }
    const verification = record.verificationVerdicts.map(readVerdictFile);
    if (verification.length === 0) problems.push(`${name} has no verification verdict of ${record.to}`);
    for (const file of verification) {
      const problem = verificationProblem(file, record, keys);
      if (problem) problems.push(`${name}: the verification verdict ${file.file} ${problem}`);
    }
    links.push({
      from: record.from,
      to: record.to,
      codeSha256: record.codeSha256,
      runId: record.runId,
      gate,
      verification: verification.map((f) => `${f.verdict?.suite ?? "?"} ${f.file}`),
    });
  });
  return { ok: problems.length === 0, codeSha256, links, problems };
}

/** Why a verification verdict does not prove the target served these bits healthily, or null. */
function verificationProblem(
  file: VerdictFile,
  record: PromotionRecord,
  keys: ReturnType<typeof loadTrustedKeys>,
): string | null {
  const { verdict } = file;
  if (!verdict) return `cannot be read: ${file.problem ?? "unreadable"}`;
  if (verdict.environment !== record.to) return `is of ${verdict.environment}, not ${record.to}`;
  if (verdict.codeSha256 !== record.codeSha256) return `is for CodeSha256 ${verdict.codeSha256}`;
  if (verdict.outcome !== "passed") return `is ${verdict.outcome}`;
  if (file.reportIntact === false) return "no longer matches its report (reportSha256)";
  if (!file.envelope) return `is unsigned (no ${basename(file.file).replace(/\.json$/, ".dsse.json")})`;
  if (file.envelope.problem !== null) return file.envelope.problem;
  const checked = verifyEnvelope(file.envelope.json, keys);
  if (!checked.verified) return `has an envelope that does not verify: ${checked.reason}`;
  return null;
}

/** The chain as lines for a terminal: one per step, then its verdicts. */
export function describeChain(check: ChainCheck): string[] {
  const lines = check.links.flatMap((link) => [
    `${link.from.toUpperCase()} -> ${link.to.toUpperCase()}: CodeSha256 ${link.codeSha256} (run ${link.runId})`,
    ...link.gate.map((g) => `    gate:   ${g}`),
    ...link.verification.map((v) => `    verify: ${v}`),
  ]);
  return check.ok
    ? [
        `Same bits DEV -> SIT -> PROD: CodeSha256 ${check.codeSha256}, every step on signed verdicts`,
        ...lines,
      ]
    : [
        `The chain is broken (${check.problems.length} problem(s)):`,
        ...check.problems.map((p) => `  - ${p}`),
        ...lines,
      ];
}
