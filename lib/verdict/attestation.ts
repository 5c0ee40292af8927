import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type EnvironmentId, EnvironmentIdSchema } from "../../runbooks/schema.ts";

/**
 * A recorded human approval for an item no test can verify (UAT sign-off, change request approved,
 * on-call assigned). Lives at `attestations/<env>/<item id with "/" replaced by "__">.json`.
 */
export const AttestationSchema = z.strictObject({
  schemaVersion: z.literal(1),
  itemId: z
    .string()
    .regex(/^[a-z0-9-]+\/[0-9.]+\/[a-z0-9-]+$/, "must be a runbook item id (runbook/section/slug)"),
  environment: EnvironmentIdSchema,
  /** Who attests: a named person in the role the runbook item asks for. */
  attestedBy: z.strictObject({
    name: z.string().min(1),
    role: z.string().min(1),
    contact: z.string().min(1).optional(),
  }),
  attestedAt: z.iso.datetime({ offset: true }),
  /** Where the approval is recorded: a change request id, ticket or URL. */
  reference: z.string().min(1),
  /** If set, the attestation only holds for this app version. */
  appVersion: z.string().min(1).optional(),
  /** If set, the attestation only holds for these bits. */
  codeSha256: z.string().min(1).optional(),
  /** If set, the attestation no longer holds after this instant. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  notes: z.string().optional(),
});
export type Attestation = z.infer<typeof AttestationSchema>;

/** Default attestations folder, relative to the repository root; HARNESS_ATTESTATIONS_DIR overrides it. */
export const DEFAULT_ATTESTATIONS_DIR = "attestations";

/** File name of an item's attestation: the id with "/" replaced by "__" (ids never contain "__"). */
export function attestationFileName(itemId: string): string {
  return `${itemId.replaceAll("/", "__")}.json`;
}

/** Path of an item's attestation for an environment. */
export function attestationPath(dir: string, env: EnvironmentId, itemId: string): string {
  return join(dir, env, attestationFileName(itemId));
}

export type AttestationLookup =
  | { kind: "found"; file: string; attestation: Attestation }
  | { kind: "absent"; file: string }
  | { kind: "invalid"; file: string; problem: string };

/** Reads and schema-checks an item's attestation file. */
export function readAttestation(dir: string, env: EnvironmentId, itemId: string): AttestationLookup {
  const file = attestationPath(dir, env, itemId);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return { kind: "absent", file };
    return {
      kind: "invalid",
      file,
      problem: `unreadable (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "invalid", file, problem: "not valid JSON" };
  }
  const parsed = AttestationSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { kind: "invalid", file, problem };
  }
  return { kind: "found", file, attestation: parsed.data };
}

export type AttestationContext = {
  itemId: string;
  environment: EnvironmentId;
  /** Role the runbook item names (`attestedBy`), if any. */
  requiredRole?: string | undefined;
  appVersion?: string | null | undefined;
  codeSha256?: string | null | undefined;
  now: Date;
};

export type AttestationDecision =
  | { status: "attested"; attestation: Attestation }
  | { status: "missing-attestation"; reason: string };

/** Decides whether a lookup attests the item for this run (right item, env, role, bits, not expired). */
export function evaluateAttestation(
  lookup: AttestationLookup,
  context: AttestationContext,
): AttestationDecision {
  if (lookup.kind === "absent") {
    return { status: "missing-attestation", reason: `no attestation file ${lookup.file}` };
  }
  if (lookup.kind === "invalid") {
    return {
      status: "missing-attestation",
      reason: `attestation ${lookup.file} is invalid: ${lookup.problem}`,
    };
  }
  const { attestation } = lookup;
  const problems: string[] = [];
  if (attestation.itemId !== context.itemId)
    problems.push(`it attests ${attestation.itemId}, not ${context.itemId}`);
  if (attestation.environment !== context.environment) {
    problems.push(`it is for ${attestation.environment}, not ${context.environment}`);
  }
  if (context.requiredRole && attestation.attestedBy.role !== context.requiredRole) {
    problems.push(
      `it was given by role ${attestation.attestedBy.role}, the item needs ${context.requiredRole}`,
    );
  }
  if (Date.parse(attestation.attestedAt) > context.now.getTime())
    problems.push("its attestedAt is in the future");
  if (attestation.expiresAt && Date.parse(attestation.expiresAt) <= context.now.getTime()) {
    problems.push(`it expired at ${attestation.expiresAt}`);
  }
  if (attestation.appVersion && attestation.appVersion !== context.appVersion) {
    problems.push(
      `it is for app version ${attestation.appVersion}, the run tested ${context.appVersion ?? "an unknown version"}`,
    );
  }
  if (attestation.codeSha256 && attestation.codeSha256 !== context.codeSha256) {
    problems.push(
      `it is for CodeSha256 ${attestation.codeSha256}, the run tested ${context.codeSha256 ?? "unknown bits"}`,
    );
  }
  if (problems.length > 0) {
    return {
      status: "missing-attestation",
      reason: `attestation ${lookup.file} does not apply: ${problems.join("; ")}`,
    };
  }
  return { status: "attested", attestation };
}
