/**
 * The judge of an attested runbook item: pure, on plain data. Given the item, the promotion (service, target
 * environment, bits, initiator) and every attestation file with its verification, it says whether the item
 * is attested, or why not, naming each refused file and what to do about it.
 */
import { environmentDefaults } from "../../runbooks/environments.ts";
import type { AttestationRecord } from "./record.ts";
import type { Verification } from "./ssh.ts";

/** How far in the future attestedAt may be before it is refused: clocks of laptops and CI drift a little. */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** The variable (and flag, `--initiator`) naming who starts a promotion. */
export const INITIATOR_ENV = "HARNESS_INITIATOR";

export type JudgeAttestedItemInput = {
  item: { id: string; title: string; attestedBy: string };
  service: string;
  /** The TARGET environment of the promotion. */
  environment: string;
  /** The bits the promotion carries (the harness's codeSha256); null when they could not be read. */
  codeSha256: string | null;
  now: Date;
  /** Who starts the promotion; null when nobody said. */
  initiator: string | null;
  /** Valid attestations by distinct principals needed; for prod-approver items, environment.approvalsRequired. */
  requiredApprovals: number;
  records: ReadonlyArray<{
    file: string;
    record?: AttestationRecord | undefined;
    problem?: string | undefined;
    verification?: Verification | undefined;
  }>;
};

export type AcceptedAttestation = { file: string; by: string; role: string; at: string; reference: string };

export type AttestedItemJudgement =
  | { status: "attested"; attestations: AcceptedAttestation[] }
  | { status: "missing-attestation"; reason: string; problems: Array<{ file: string; problem: string }> };

/** Approvals an item needs in an environment: approvalsRequired for prod-approver items, else one. */
export function requiredApprovalsFor(
  item: { attestedBy?: string | undefined },
  approvalsRequired: number,
): number {
  return item.attestedBy === "prod-approver" ? Math.max(1, approvalsRequired) : 1;
}

export type AttestCommandInput = {
  env: string;
  service: string;
  itemId: string;
  role: string;
  reference?: string | undefined;
  /** The signer, when known (default a placeholder). */
  principal?: string | undefined;
  /** Bits to sign, for an environment with no source to read them from (DEV). */
  codeSha256?: string | undefined;
};

/** The `npm run attest -- ...` line that supplies a missing attestation. */
export function attestCommand(input: AttestCommandInput): string {
  const parts = [
    "npm run attest --",
    `--env ${input.env}`,
    `--service ${input.service}`,
    `--item ${input.itemId}`,
    `--by ${input.principal ?? "<you@bbws.example>"}`,
    `--role ${input.role}`,
    `--reference ${input.reference ?? "CHG-<number>"}`,
    "--key ~/.ssh/id_ed25519",
  ];
  if (input.codeSha256 !== undefined) parts.push(`--code-sha256 ${input.codeSha256}`);
  return parts.join(" ");
}

/** Whether an environment has no source to read the bits from (DEV), so the command must name them. */
function hasNoSource(env: string): boolean {
  return Object.entries(environmentDefaults).some(([id, known]) => id === env && known.promotedFrom === null);
}

/** Whether an attested item is attested for this promotion, or why not (every refused file with what to do). */
export function judgeAttestedItem(input: JudgeAttestedItemInput): AttestedItemJudgement {
  const { item, service, environment, codeSha256, now, initiator } = input;
  const role = item.attestedBy;
  const approval = role === "prod-approver" || input.requiredApprovals > 1;
  const needed = Math.max(1, input.requiredApprovals);
  const command = attestCommand({
    env: environment,
    service,
    itemId: item.id,
    role,
    ...(codeSha256 !== null && hasNoSource(environment) ? { codeSha256 } : {}),
  });
  const problems: Array<{ file: string; problem: string }> = [];
  const accepted: AcceptedAttestation[] = [];
  const acceptedBy = new Map<string, string>();

  for (const entry of input.records) {
    const { file, record } = entry;
    if (record === undefined) {
      problems.push({
        file,
        problem: `${entry.problem ?? "is not an attestation record"}; remove it and sign a new one: ${command}`,
      });
      continue;
    }
    const why: string[] = [];
    if (record.itemId !== item.id) why.push(`it attests ${record.itemId}, not ${item.id}`);
    if (record.service !== service) why.push(`it is for service ${record.service}, not ${service}`);
    if (record.environment !== environment)
      why.push(`it is for a promotion to ${record.environment}, not to ${environment}`);
    if (record.role !== role) why.push(`it is signed for role ${record.role}; ${item.id} needs ${role}`);
    if (codeSha256 === null) {
      why.push("the bits under test are unknown (no CodeSha256 was read), so it cannot be matched to them");
    } else if (record.codeSha256 !== codeSha256) {
      why.push(
        `it attests other bits (CodeSha256 ${record.codeSha256}, the promotion carries ${codeSha256})`,
      );
    }
    const attestedAt = Date.parse(record.attestedAt);
    if (attestedAt > now.getTime() + CLOCK_SKEW_TOLERANCE_MS)
      why.push(`its attestedAt ${record.attestedAt} is in the future`);
    if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime())
      why.push(`it expired at ${record.expiresAt}`);
    if (record.signature === undefined) {
      why.push("it is unsigned (no signature): anyone could have typed it");
    } else if (entry.verification === undefined) {
      why.push("its signature was not verified");
    } else if (!entry.verification.ok) {
      why.push(entry.verification.problem);
    }
    if (why.length > 0) {
      problems.push({ file, problem: `${why.join("; ")}. Sign a new one: ${command}` });
      continue;
    }
    if (approval && initiator !== null && record.principal === initiator) {
      problems.push({
        file,
        problem: `the approver is the initiator: ${record.principal} starts this promotion and may not approve it (separation of duties); another ${role} must sign: ${command}`,
      });
      continue;
    }
    const earlier = acceptedBy.get(record.principal);
    if (earlier !== undefined) {
      problems.push({
        file,
        problem: `${record.principal} already attested in ${earlier}; one person counts once, another ${role} must sign: ${command}`,
      });
      continue;
    }
    acceptedBy.set(record.principal, file);
    accepted.push({
      file,
      by: record.principal,
      role: record.role,
      at: record.attestedAt,
      reference: record.reference,
    });
  }

  const subject = `${item.id} (${item.title}) for ${service} into ${environment}`;
  if (approval && initiator === null) {
    return {
      status: "missing-attestation",
      reason: `${subject} needs ${needed} approval(s) by ${role}s other than the initiator, and the initiator is unknown: name who starts the promotion with --initiator or ${INITIATOR_ENV}.`,
      problems,
    };
  }
  if (accepted.length >= needed) return { status: "attested", attestations: accepted };

  const by = `${needed === 1 ? `a ${role}` : `distinct ${role}s`}${approval ? ` other than the initiator (${initiator})` : ""}`;
  const wanted = needed === 1 ? "a signed attestation" : `${needed} signed attestations`;
  const has =
    accepted.length === 0
      ? "none is valid"
      : `only ${accepted.length} ${accepted.length === 1 ? "is" : "are"} valid (${accepted.map((a) => a.by).join(", ")})`;
  const found =
    input.records.length === 0
      ? " No attestation file was found."
      : problems.length > 0
        ? ` Refused: ${problems.map((p) => `${p.file}: ${p.problem}`).join(" | ")}`
        : "";
  return {
    status: "missing-attestation",
    reason: `${subject} needs ${wanted} by ${by}; ${has}.${found}${problems.length === 0 ? ` Supply it: ${command}` : ""}`,
    problems,
  };
}
