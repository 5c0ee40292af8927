/**
 * A signed attestation (schema v2): one person's statement that a runbook item holds for one promotion's
 * bits, signed with their SSH key in the namespace of the role they sign for. Lives at
 * `<dir>/<env>/<service>/<item id with "/" -> "__">/<principal>.json`, one file per person.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { AttesterRoleSchema, EnvironmentIdSchema, ServiceIdSchema } from "../../runbooks/schema.ts";
import { writeJsonAtomically } from "../files/index.ts";
import { RUN_ENV, repoRoot } from "../run/index.ts";

/** The change-request reference an attestation must carry unless HARNESS_REFERENCE_PATTERN says otherwise. */
export const DEFAULT_REFERENCE_PATTERN = /^CHG-\d+$/;

/** Variable holding another reference pattern (a regular expression source, e.g. `^(CHG|INC)-\d+$`). */
export const REFERENCE_PATTERN_ENV = "HARNESS_REFERENCE_PATTERN";

/** The reference pattern in force: HARNESS_REFERENCE_PATTERN if set (throws on a bad expression), else CHG-<n>. */
export function referencePatternFrom(env: Record<string, string | undefined> = process.env): RegExp {
  const source = env[REFERENCE_PATTERN_ENV];
  if (source === undefined || source === "") return DEFAULT_REFERENCE_PATTERN;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new Error(
      `${REFERENCE_PATTERN_ENV}=${source} is not a regular expression (${error instanceof Error ? error.message : String(error)}). Fix or unset it.`,
      { cause: error },
    );
  }
}

/** The message of a reference that does not match the pattern: what is expected, with an example. */
export function referenceProblem(pattern: RegExp): string {
  return pattern.source === DEFAULT_REFERENCE_PATTERN.source
    ? "must be a change-request reference such as CHG-12345 (CHG- and digits)"
    : `must be a change-request reference matching /${pattern.source}/ (${REFERENCE_PATTERN_ENV})`;
}

/** An id in allowed_signers: e-mail-like, without the commas, spaces, quotes and wildcards that file gives meaning. */
export const PrincipalSchema = z
  .string()
  .regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/, "must be the signer's e-mail-like id in allowed_signers");

/** Lambda's CodeSha256 (base64 SHA-256), or `combined:<base64>` over several functions (combinedCodeSha256). */
export const CodeSha256Schema = z
  .string()
  .regex(
    /^(combined:)?[A-Za-z0-9+/]{43}=$/,
    'must be a Lambda CodeSha256 (44 base64 characters) or "combined:<base64>"',
  );

export const ItemIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+\/[0-9.]+\/[a-z0-9-]+$/, "must be a runbook item id (runbook/section/slug)");

const ARMORED_SIGNATURE = /^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+-----END SSH SIGNATURE-----\n?$/;

/** The record schema, for a reference pattern (default CHG-<digits>). */
export function attestationRecordSchema(referencePattern: RegExp = DEFAULT_REFERENCE_PATTERN) {
  return z
    .strictObject({
      schemaVersion: z.literal(2, "must be 2 (a signed attestation)"),
      itemId: ItemIdSchema,
      service: ServiceIdSchema,
      /** The TARGET environment of the promotion. */
      environment: EnvironmentIdSchema,
      /** The bits the attestation is for: one function's CodeSha256, or combined:<base64> for several. */
      codeSha256: CodeSha256Schema,
      /** The signer's id in allowed_signers. */
      principal: PrincipalSchema,
      /** The role signed for; the signature's namespace is bbws-attest-<role>. */
      role: AttesterRoleSchema,
      reference: z.string().regex(referencePattern, referenceProblem(referencePattern)),
      attestedAt: z.iso.datetime({ offset: true }),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
      notes: z.string().optional(),
      /** Armored SSH signature over canonicalPayload(record). Absent: the record is unsigned (refused). */
      signature: z
        .string()
        .regex(ARMORED_SIGNATURE, "must be an armored SSH signature (-----BEGIN SSH SIGNATURE-----)")
        .optional(),
    })
    .superRefine((record, ctx) => {
      if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= Date.parse(record.attestedAt)) {
        ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "must be after attestedAt" });
      }
    });
}

export const AttestationRecordSchema = attestationRecordSchema();
export type AttestationRecord = z.infer<typeof AttestationRecordSchema>;
/** A record before it is signed. */
export type UnsignedAttestationRecord = Omit<AttestationRecord, "signature">;

/** The signature namespace of a role: a record for role R is signed and verified with `bbws-attest-R`. */
export function signatureNamespace(role: string): string {
  return `bbws-attest-${role}`;
}

/** JSON with object keys sorted at every level and no whitespace; undefined members are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The bytes that are signed: the canonical JSON of every field but `signature`. */
export function canonicalPayload(
  record: UnsignedAttestationRecord & { signature?: string | undefined },
): string {
  const { signature: _signature, ...rest } = record;
  return canonicalJson(rest);
}

/** The attestations folder: HARNESS_ATTESTATIONS_DIR if set, else attestations/ at the repository root. */
export function attestationsDir(env: Record<string, string | undefined> = process.env): string {
  return env[RUN_ENV.attestationsDir] || join(repoRoot, "attestations");
}

/** A principal as a file name: anything but letters, digits, `.`, `_`, `@` and `-` becomes `_`. */
export function principalFileName(principal: string): string {
  return `${principal.replace(/[^A-Za-z0-9._@-]/g, "_")}.json`;
}

/** Folder of an item's attestations: `<dir>/<env>/<service>/<item id with "/" -> "__">`. */
export function itemAttestationsDir(dir: string, env: string, service: string, itemId: string): string {
  return join(dir, env, service, itemId.replaceAll("/", "__"));
}

/** Path of one person's attestation of an item. */
export function attestationRecordPath(
  dir: string,
  record: Pick<AttestationRecord, "environment" | "service" | "itemId" | "principal">,
): string {
  return join(
    itemAttestationsDir(dir, record.environment, record.service, record.itemId),
    principalFileName(record.principal),
  );
}

/** Writes a record atomically (a temporary file renamed over the target) and returns its path. */
export function writeAttestationRecord(dir: string, record: AttestationRecord): string {
  const file = attestationRecordPath(dir, record);
  writeJsonAtomically(file, record);
  return file;
}

/** One file of an item's attestations folder: its record, or why it could not be read as one. */
export type AttestationFile = { file: string; record: AttestationRecord } | { file: string; problem: string };

const V1_PROBLEM =
  "is a schema version 1 attestation: unsigned, its author only typed in, so it no longer counts";

/** Reads and schema-checks one attestation file. */
export function readAttestationFile(
  file: string,
  referencePattern: RegExp = DEFAULT_REFERENCE_PATTERN,
): AttestationFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { file, problem: `unreadable (${error instanceof Error ? error.message : String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      file,
      problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (json !== null && typeof json === "object" && "schemaVersion" in json && json.schemaVersion === 1) {
    return { file, problem: V1_PROBLEM };
  }
  const schema =
    referencePattern === DEFAULT_REFERENCE_PATTERN
      ? AttestationRecordSchema
      : attestationRecordSchema(referencePattern);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { file, problem: `does not match the attestation schema: ${problem}` };
  }
  return { file, record: parsed.data };
}

/**
 * Every attestation file of an item in a target environment, each with its record or its problem, in file
 * name order; a missing folder is no files. The unsigned v1 file of the item (`<dir>/<env>/<item>.json`)
 * is listed too, as a problem, so that its author learns it no longer counts.
 */
export function readAttestations(
  dir: string,
  env: string,
  service: string,
  itemId: string,
  options: { referencePattern?: RegExp } = {},
): AttestationFile[] {
  const folder = itemAttestationsDir(dir, env, service, itemId);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".json"));
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) {
      return [
        { file: folder, problem: `unreadable (${error instanceof Error ? error.message : String(error)})` },
      ];
    }
    names = [];
  }
  const files = names.sort().map((name) => readAttestationFile(join(folder, name), options.referencePattern));
  const legacy = join(dir, env, `${itemId.replaceAll("/", "__")}.json`);
  if (existsSync(legacy)) files.push({ file: legacy, problem: V1_PROBLEM });
  return files;
}
