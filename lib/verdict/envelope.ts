/**
 * Signed verdicts: a verdict as an in-toto Statement v1 (https://in-toto.io/Statement/v1) in a DSSE envelope
 * (https://github.com/secure-systems-lab/dsse), signed with Ed25519 over the DSSE pre-authentication encoding.
 *
 * The Statement's subjects are the Lambda functions under test, each with the hex SHA-256 that Lambda reports
 * base64-encoded as CodeSha256; its predicate (type VERDICT_PREDICATE_TYPE) is what the gate decided about those
 * bits. A promotion verifies the envelope against its trusted public keys, then checks with
 * envelopeMatchesVerdict that the envelope and the verdict file beside it say the same thing.
 *
 * Keys are PEM: the signer's private key PKCS#8, the trusted public keys SPKI (what `openssl genpkey -algorithm
 * ed25519` and `openssl pkey -pubout` write). A key's keyid is the SHA-256 hex of its public key's SPKI DER.
 *
 * Only node:crypto: DSSE's PAE is a few lines, and the JavaScript DSSE code on npm (@sigstore/sign,
 * @sigstore/core) is built around Sigstore's keyless certificates and transparency log, not local keys.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { EnvironmentIdSchema, ServiceIdSchema } from "../../runbooks/schema.ts";
import { combinedCodeSha256 } from "./policy.ts";
import {
  EXIT_CODES,
  ExitCodeSchema,
  type FunctionUnderTest,
  OutcomeSchema,
  type Verdict,
  VerdictSuiteSchema,
} from "./schema.ts";

/** The in-toto Statement layer this module writes and reads. */
export const IN_TOTO_STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/** DSSE payloadType of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/**
 * The predicate of a harness verdict: { outcome, exitCode, suite, service, environment, runId, reportSha256,
 * endedAt, codeSha256, harnessCommit }, the verdict.json fields of the same names (codeSha256 is the verdict's
 * own string: one function's CodeSha256, or "combined:<base64>" for several). A new version of this predicate
 * gets a new URI; a verifier of v1 refuses anything else.
 */
export const VERDICT_PREDICATE_TYPE = "https://bbws.example/harness/verdict/v1";

/** Environment variables of the signing key, in order of precedence after an explicit file (see loadSigningKey). */
export const VERDICT_KEY_ENV = {
  /** Path of a PEM (PKCS#8) Ed25519 private key. */
  file: "HARNESS_VERDICT_KEY_FILE",
  /** The PEM itself, for CI secrets that arrive as variables. */
  pem: "HARNESS_VERDICT_KEY",
} as const;

/**
 * The envelope file of a verdict file: `verdict.json` -> `verdict.dsse.json`, `verdict-<project>.json` ->
 * `verdict-<project>.dsse.json` (UNHASHED_FILE keeps both out of the report hash).
 */
export function envelopeFileFor(verdictFile: string): string {
  return verdictFile.replace(/(\.json)?$/, ".dsse.json");
}

/** File names generateVerdictKeyPair writes. */
export const VERDICT_KEY_FILES = {
  privateKey: "verdict-signing.key",
  publicKey: "verdict-signing.pub",
} as const;

// Errors live here rather than in errors.ts while this module is new; they move there with its first caller.

/** A verdict that binds no bits or no sealed evidence: signing it would vouch for nothing. */
export class VerdictNotSignableError extends Error {
  readonly runId: string;
  readonly problems: readonly string[];

  constructor(runId: string, problems: readonly string[]) {
    super(
      `The verdict of run ${runId} cannot be signed: ${problems.join("; ")}. ` +
        "Sign only a finished verdict (after the reporters wrote reportSha256) whose guard resolved the functions under test; re-run the gate if it has neither.",
    );
    this.name = "VerdictNotSignableError";
    this.runId = runId;
    this.problems = problems;
  }
}

/** No signing key was given by flag, HARNESS_VERDICT_KEY_FILE or HARNESS_VERDICT_KEY. */
export class VerdictKeyMissingError extends Error {
  constructor() {
    super(
      `No verdict signing key is configured: pass the key file by flag, or set ${VERDICT_KEY_ENV.file} to the path of a PEM (PKCS#8) Ed25519 private key, ` +
        `or ${VERDICT_KEY_ENV.pem} to the PEM itself. For the sandbox or a drill, generateVerdictKeyPair(dir) writes a throw-away pair ` +
        `(${VERDICT_KEY_FILES.privateKey}, ${VERDICT_KEY_FILES.publicKey}); for a real environment use the key your release process holds.`,
    );
    this.name = "VerdictKeyMissingError";
  }
}

/** A signing or trusted key that cannot be read or is not an Ed25519 key of the right kind. */
export class VerdictKeyError extends Error {
  /** Where the key came from: a file path, or the variable that held it. */
  readonly source: string;

  constructor(source: string, detail: string, todo: string, options?: ErrorOptions) {
    super(`The verdict key from ${source} cannot be used: ${detail}. ${todo}`, options);
    this.name = "VerdictKeyError";
    this.source = source;
  }
}

/** A key file that already exists where generateVerdictKeyPair would write. */
export class VerdictKeyExistsError extends Error {
  readonly file: string;

  constructor(file: string) {
    super(
      `${file} already exists, so no new verdict key pair was written over it: remove it first, pass { overwrite: true } for a throw-away sandbox key, or use another directory.`,
    );
    this.name = "VerdictKeyExistsError";
    this.file = file;
  }
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
// Lambda's CodeSha256: standard base64 of 32 bytes, always 43 characters and one "=".
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
// DSSE allows standard or URL-safe base64, padded or not.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export const VerdictSubjectSchema = z.object({
  /** The Lambda function's name. */
  name: z.string().min(1),
  digest: z.object({ sha256: z.string().regex(HEX_SHA256, "must be 64 lowercase hex characters") }),
  annotations: z
    .object({ alias: z.string(), functionVersion: z.string(), appVersion: z.string() })
    .optional(),
});
export type VerdictSubject = z.infer<typeof VerdictSubjectSchema>;

export const VerdictPredicateSchema = z
  .object({
    outcome: OutcomeSchema,
    exitCode: ExitCodeSchema,
    suite: VerdictSuiteSchema,
    service: ServiceIdSchema,
    environment: EnvironmentIdSchema,
    runId: z.string().min(1),
    reportSha256: z.string().min(1),
    endedAt: z.string().min(1),
    codeSha256: z.string().min(1),
    harnessCommit: z.string(),
  })
  .refine((predicate) => predicate.exitCode === EXIT_CODES[predicate.outcome], {
    message: "exitCode must be the outcome's code",
    path: ["exitCode"],
  });
export type VerdictPredicate = z.infer<typeof VerdictPredicateSchema>;

/** An in-toto Statement v1 about the functions under test, with a harness verdict as its predicate. */
export const VerdictStatementSchema = z.object({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(VerdictSubjectSchema).min(1, "must name at least one function"),
  predicateType: z.literal(VERDICT_PREDICATE_TYPE),
  predicate: VerdictPredicateSchema,
});
export type VerdictStatement = z.infer<typeof VerdictStatementSchema>;

export const DsseSignatureSchema = z.object({
  keyid: z.string(),
  sig: z.string().min(1).regex(BASE64, "must be base64"),
});
export type DsseSignature = z.infer<typeof DsseSignatureSchema>;

/** A DSSE envelope as JSON (the `.dsse.json` file beside a verdict: see envelopeFileFor). */
export const DsseEnvelopeSchema = z.object({
  payloadType: z.string(),
  payload: z.string().regex(BASE64, "must be base64"),
  signatures: z.array(DsseSignatureSchema).min(1, "must hold at least one signature"),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelopeSchema>;

/** A public key a verifier trusts, under the keyid signatures name it by. */
export type TrustedKey = { keyid: string; key: KeyObject };

/** Why verifyEnvelope refused an envelope. */
export const envelopeRefusalKinds = [
  "malformed",
  "wrong-payload-type",
  "untrusted-key",
  "bad-signature",
  "statement-invalid",
] as const;
export type EnvelopeRefusalKind = (typeof envelopeRefusalKinds)[number];

export type EnvelopeVerification =
  | { verified: true; statement: VerdictStatement; keyid: string }
  | { verified: false; kind: EnvelopeRefusalKind; reason: string };

/** Whether a string is a Lambda CodeSha256: canonical base64 of 32 bytes (what codeSha256Hex accepts). */
function isCodeSha256(codeSha256: string): boolean {
  const bytes = Buffer.from(codeSha256, "base64");
  return BASE64_SHA256.test(codeSha256) && bytes.length === 32 && bytes.toString("base64") === codeSha256;
}

/** The hex SHA-256 behind a Lambda CodeSha256 (base64 of the 32 digest bytes); throws for anything else. */
export function codeSha256Hex(codeSha256: string): string {
  const bytes = Buffer.from(codeSha256, "base64");
  if (!isCodeSha256(codeSha256)) {
    throw new TypeError(
      `${JSON.stringify(codeSha256)} is not a Lambda CodeSha256 (base64 of a SHA-256: 44 characters ending in "=")`,
    );
  }
  return bytes.toString("hex");
}

/** DSSE's pre-authentication encoding: `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in bytes. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    payload,
  ]);
}

/** The keyid of an Ed25519 key (private or public): SHA-256 hex of its public key's SPKI DER. */
export function verdictKeyId(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

function functionLabel(fn: FunctionUnderTest): string {
  return fn.functionName || "(unnamed function)";
}

/** Every reason the verdict cannot be signed, empty when it can. */
function unsignableProblems(verdict: Verdict): string[] {
  const problems: string[] = [];
  if (verdict.functions.length === 0) {
    problems.push(
      "it names no function under test, so it binds no bits (the account guard did not resolve them)",
    );
  }
  if (verdict.reportSha256 === null) {
    problems.push("it has no reportSha256, so its evidence is not sealed");
  }
  const names = new Set<string>();
  for (const fn of verdict.functions) {
    if (fn.functionName === "") problems.push("a function under test has no name");
    if (names.has(fn.functionName)) problems.push(`the function ${fn.functionName} is listed twice`);
    names.add(fn.functionName);
    // The full check, not the pattern alone: a non-canonical last character must be refused here, not throw later.
    if (!isCodeSha256(fn.codeSha256)) {
      problems.push(
        `the CodeSha256 of ${functionLabel(fn)} (${JSON.stringify(fn.codeSha256)}) is not base64 of a SHA-256`,
      );
    }
  }
  const combined = combinedCodeSha256(verdict.functions);
  if (combined !== null && verdict.codeSha256 !== combined) {
    problems.push(
      `its codeSha256 (${verdict.codeSha256 ?? "null"}) is not the combined digest of its functions (${combined})`,
    );
  }
  return problems;
}

/** The verdict as an in-toto Statement v1; throws VerdictNotSignableError without functions or reportSha256. */
export function verdictStatement(verdict: Verdict): VerdictStatement {
  const problems = unsignableProblems(verdict);
  if (problems.length > 0) throw new VerdictNotSignableError(verdict.runId, problems);
  return VerdictStatementSchema.parse({
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [...verdict.functions]
      .sort((a, b) => a.functionName.localeCompare(b.functionName))
      .map(
        (fn): VerdictSubject => ({
          name: fn.functionName,
          digest: { sha256: codeSha256Hex(fn.codeSha256) },
          annotations: { alias: fn.alias, functionVersion: fn.functionVersion, appVersion: fn.appVersion },
        }),
      ),
    predicateType: VERDICT_PREDICATE_TYPE,
    predicate: {
      outcome: verdict.outcome,
      exitCode: verdict.exitCode,
      suite: verdict.suite,
      service: verdict.service,
      environment: verdict.environment,
      runId: verdict.runId,
      reportSha256: verdict.reportSha256,
      endedAt: verdict.endedAt,
      codeSha256: verdict.codeSha256,
      harnessCommit: verdict.harnessCommit,
    },
  });
}

function assertEd25519(key: KeyObject, type: "private" | "public", source: string): void {
  if (key.type !== type) {
    throw new VerdictKeyError(
      source,
      `it is a ${key.type} key, not a ${type} one`,
      type === "private"
        ? "Sign with the PEM (PKCS#8) private key."
        : "Trust only public keys (openssl pkey -pubout).",
    );
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new VerdictKeyError(
      source,
      `it is a ${key.asymmetricKeyType ?? "symmetric"} key, and verdicts are signed with Ed25519`,
      "Generate an Ed25519 key (openssl genpkey -algorithm ed25519, or generateVerdictKeyPair).",
    );
  }
}

/** Signs the verdict's Statement into a DSSE envelope with an Ed25519 private key. */
export function signVerdict(verdict: Verdict, privateKey: KeyObject): DsseEnvelope {
  assertEd25519(privateKey, "private", "the key passed to signVerdict");
  const payload = Buffer.from(JSON.stringify(verdictStatement(verdict)), "utf8");
  const sig = sign(null, preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), privateKey);
  return {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: payload.toString("base64"),
    signatures: [{ keyid: verdictKeyId(privateKey), sig: sig.toString("base64") }],
  };
}

/** Signs the verdict and writes its envelope beside `verdictFile` (envelopeFileFor); returns the envelope's path. */
export function writeVerdictEnvelope(verdictFile: string, verdict: Verdict, privateKey: KeyObject): string {
  const file = envelopeFileFor(verdictFile);
  writeFileSync(file, `${JSON.stringify(signVerdict(verdict, privateKey), null, 2)}\n`);
  return file;
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

function toTrustedKey(entry: KeyObject | TrustedKey): TrustedKey {
  const key = entry instanceof KeyObject ? entry : entry.key;
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  assertEd25519(
    publicKey,
    "public",
    entry instanceof KeyObject ? "a trusted key" : `the trusted key ${entry.keyid}`,
  );
  return { keyid: entry instanceof KeyObject ? verdictKeyId(publicKey) : entry.keyid, key: publicKey };
}

/**
 * Verifies a DSSE envelope (any JSON value) against trusted Ed25519 keys and returns its verdict Statement, or a
 * refusal saying why. One valid signature by a trusted key is enough; the payload is read only after it verified.
 */
export function verifyEnvelope(
  envelope: unknown,
  trustedKeys: readonly (KeyObject | TrustedKey)[],
): EnvelopeVerification {
  const refuse = (kind: EnvelopeRefusalKind, reason: string): EnvelopeVerification => ({
    verified: false,
    kind,
    reason,
  });
  const parsed = DsseEnvelopeSchema.safeParse(envelope);
  if (!parsed.success) {
    return refuse("malformed", `the envelope is not a DSSE envelope (${issuesOf(parsed.error)})`);
  }
  const { payloadType, signatures } = parsed.data;
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return refuse(
      "wrong-payload-type",
      `the envelope's payloadType is ${JSON.stringify(payloadType)}, not ${JSON.stringify(IN_TOTO_PAYLOAD_TYPE)}`,
    );
  }
  const trusted = trustedKeys.map(toTrustedKey);
  const payload = Buffer.from(parsed.data.payload, "base64");
  const pae = preAuthEncoding(payloadType, payload);
  let signer: string | null = null;
  let badSignature: string | null = null;
  for (const signature of signatures) {
    // The keyid is an unauthenticated hint (DSSE): it picks the keys to try first, and a keyid no trusted key
    // goes by still gets every trusted key tried; only the signature decides.
    const named = trusted.filter((candidate) => candidate.keyid === signature.keyid);
    const candidates = named.length > 0 ? named : trusted;
    const sig = Buffer.from(signature.sig, "base64");
    const by = candidates.find((candidate) => verify(null, pae, candidate.key, sig));
    if (by) {
      signer = by.keyid;
      break;
    }
    if (named.length > 0) badSignature ??= signature.keyid;
  }
  if (signer === null) {
    if (badSignature !== null) {
      return refuse(
        "bad-signature",
        `the signature by key ${badSignature} does not verify: the envelope was changed after it was signed, or signed over other bytes`,
      );
    }
    const keyids = signatures.map((signature) => signature.keyid || "(no keyid)").join(", ");
    return refuse(
      "untrusted-key",
      `the envelope is signed by ${keyids}, and none of these is among the ${trusted.length} trusted key(s)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch {
    return refuse("statement-invalid", "the signed payload is not JSON");
  }
  const statement = VerdictStatementSchema.safeParse(json);
  if (!statement.success) {
    return refuse(
      "statement-invalid",
      `the signed payload is not a harness verdict Statement (${issuesOf(statement.error)})`,
    );
  }
  return { verified: true, statement: statement.data, keyid: signer };
}

/**
 * Whether a verified Statement and a verdict file say the same thing: the same functions and digests, and the
 * same predicate fields (outcome, runId, reportSha256 and the rest). Lists every disagreement.
 */
export function envelopeMatchesVerdict(
  statement: VerdictStatement,
  verdict: Verdict,
): { matches: true } | { matches: false; reasons: string[] } {
  const reasons: string[] = [];
  const subjects = new Map(statement.subject.map((subject) => [subject.name, subject]));
  for (const fn of verdict.functions) {
    const subject = subjects.get(fn.functionName);
    subjects.delete(fn.functionName);
    if (!subject) {
      reasons.push(`the envelope names no subject ${fn.functionName}, which the verdict tested`);
      continue;
    }
    let hex: string | null = null;
    try {
      hex = codeSha256Hex(fn.codeSha256);
    } catch {
      reasons.push(
        `the verdict's CodeSha256 of ${fn.functionName} (${fn.codeSha256}) is not base64 of a SHA-256`,
      );
    }
    if (hex !== null && subject.digest.sha256 !== hex) {
      reasons.push(
        `${fn.functionName}: the envelope's sha256 is ${subject.digest.sha256}, the verdict's CodeSha256 ${fn.codeSha256} is ${hex}`,
      );
    }
    const notes = subject.annotations;
    if (notes && (notes.alias !== fn.alias || notes.functionVersion !== fn.functionVersion)) {
      reasons.push(
        `${fn.functionName}: the envelope has ${notes.alias} -> version ${notes.functionVersion}, the verdict ${fn.alias} -> version ${fn.functionVersion}`,
      );
    }
  }
  for (const name of subjects.keys()) {
    reasons.push(`the envelope names a subject ${name} that the verdict did not test`);
  }
  const predicate = statement.predicate;
  const fields = [
    ["outcome", predicate.outcome, verdict.outcome],
    ["exitCode", predicate.exitCode, verdict.exitCode],
    ["runId", predicate.runId, verdict.runId],
    ["reportSha256", predicate.reportSha256, verdict.reportSha256],
    ["service", predicate.service, verdict.service],
    ["environment", predicate.environment, verdict.environment],
    ["suite", predicate.suite, verdict.suite],
    ["codeSha256", predicate.codeSha256, verdict.codeSha256],
    ["endedAt", predicate.endedAt, verdict.endedAt],
    ["harnessCommit", predicate.harnessCommit, verdict.harnessCommit],
  ] as const;
  for (const [field, signed, file] of fields) {
    if (signed !== file) {
      reasons.push(
        `${field}: the envelope says ${JSON.stringify(signed)}, the verdict ${JSON.stringify(file)}`,
      );
    }
  }
  return reasons.length === 0 ? { matches: true } : { matches: false, reasons };
}

function readKeyFile(file: string, source: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VerdictKeyError(
      source,
      code === "ENOENT" ? "the file does not exist" : `the file cannot be read (${code ?? String(error)})`,
      "Check the path, and that the harness's user may read it.",
      { cause: error },
    );
  }
}

function parsePrivateKey(pem: string, source: string): KeyObject {
  if (!pem.includes("-----BEGIN")) {
    throw new VerdictKeyError(
      source,
      "it is not PEM (no -----BEGIN line)",
      "Give a PEM (PKCS#8) Ed25519 private key: openssl genpkey -algorithm ed25519, or generateVerdictKeyPair.",
    );
  }
  if (pem.includes("BEGIN OPENSSH PRIVATE KEY")) {
    throw new VerdictKeyError(
      source,
      "it is an OpenSSH private key, not PEM PKCS#8",
      "Verdicts are signed with a PKCS#8 key: generate one with openssl genpkey -algorithm ed25519 (attestation keys stay separate).",
    );
  }
  if (pem.includes("BEGIN PUBLIC KEY")) {
    throw new VerdictKeyError(
      source,
      "it is a public key, not the private one",
      `Sign with the PEM (PKCS#8) private key (${VERDICT_KEY_FILES.privateKey}); the public key is for the verifiers.`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    const encrypted = pem.includes("ENCRYPTED");
    throw new VerdictKeyError(
      source,
      encrypted ? "it is encrypted with a passphrase" : "it is not a readable PEM private key",
      encrypted
        ? "The harness signs unattended: keep the key in a secret store and give it unencrypted (openssl pkey -in <key> -out <plain>)."
        : "Give a PEM (PKCS#8) Ed25519 private key (-----BEGIN PRIVATE KEY-----).",
      { cause: error },
    );
  }
  assertEd25519(key, "private", source);
  return key;
}

export type LoadedSigningKey = {
  key: KeyObject;
  keyid: string;
  /** Where it came from: the file path, `HARNESS_VERDICT_KEY_FILE (<path>)` or `HARNESS_VERDICT_KEY`. */
  source: string;
};

/**
 * Loads the Ed25519 signing key. Precedence: `file` (the command's flag), then HARNESS_VERDICT_KEY_FILE (a path),
 * then HARNESS_VERDICT_KEY (the PEM itself); the first one set wins. Throws VerdictKeyMissingError when none is.
 */
export function loadSigningKey(
  options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): LoadedSigningKey {
  const env = options.env ?? process.env;
  const load = (pem: string, source: string): LoadedSigningKey => {
    const key = parsePrivateKey(pem, source);
    return { key, keyid: verdictKeyId(key), source };
  };
  if (options.file) return load(readKeyFile(options.file, options.file), options.file);
  const file = env[VERDICT_KEY_ENV.file];
  if (file) {
    const source = `${VERDICT_KEY_ENV.file} (${file})`;
    return load(readKeyFile(file, source), source);
  }
  const pem = env[VERDICT_KEY_ENV.pem];
  if (pem) return load(pem, VERDICT_KEY_ENV.pem);
  throw new VerdictKeyMissingError();
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Reads trusted Ed25519 public keys (PEM SPKI, several blocks per file allowed) from a file, or from every
 * `.pub` and `.pem` file of a directory. Throws VerdictKeyError listing every file that holds no usable key.
 */
export function loadTrustedKeys(fileOrDir: string): (TrustedKey & { file: string })[] {
  let files: string[];
  try {
    files = statSync(fileOrDir).isDirectory()
      ? readdirSync(fileOrDir)
          .filter((name) => name.endsWith(".pub") || name.endsWith(".pem"))
          .sort()
          .map((name) => join(fileOrDir, name))
      : [fileOrDir];
  } catch (error) {
    throw new VerdictKeyError(
      fileOrDir,
      "it does not exist or cannot be read",
      "Point it at a PEM public key file, or a directory of .pub/.pem files.",
      { cause: error },
    );
  }
  if (files.length === 0) {
    throw new VerdictKeyError(
      fileOrDir,
      "the directory holds no .pub or .pem file",
      "Put the signer's public key there (openssl pkey -pubout, or generateVerdictKeyPair's verdict-signing.pub).",
    );
  }
  const keys: (TrustedKey & { file: string })[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const text = readKeyFile(file, file);
    const blocks = [...text.matchAll(PEM_BLOCK)];
    if (blocks.length === 0) {
      problems.push(
        `${file}: no PEM block${text.startsWith("ssh-") ? " (an OpenSSH public key: convert it with ssh-keygen -e -m PKCS8 -f <file>)" : ""}`,
      );
      continue;
    }
    for (const [block, label] of blocks) {
      if (label !== "PUBLIC KEY") {
        problems.push(
          label?.includes("PRIVATE")
            ? `${file}: holds a private key; trust only its public key (openssl pkey -pubout)`
            : `${file}: holds a ${label} block, not a PUBLIC KEY`,
        );
        continue;
      }
      try {
        const key = createPublicKey({ key: block, format: "pem" });
        if (key.asymmetricKeyType !== "ed25519") {
          problems.push(`${file}: a ${key.asymmetricKeyType ?? "non-asymmetric"} key, not Ed25519`);
          continue;
        }
        keys.push({ keyid: verdictKeyId(key), key, file });
      } catch {
        problems.push(`${file}: a PUBLIC KEY block that does not parse`);
      }
    }
  }
  if (problems.length > 0) {
    throw new VerdictKeyError(
      fileOrDir,
      problems.join("; "),
      "Trusted keys are PEM (SPKI) Ed25519 public keys, -----BEGIN PUBLIC KEY-----.",
    );
  }
  return keys;
}

/**
 * Writes a fresh Ed25519 pair into `dir`: `verdict-signing.key` (PKCS#8 PEM, mode 0600) and
 * `verdict-signing.pub` (SPKI PEM). For the sandbox, the drill and the tests; never for a real environment.
 */
export function generateVerdictKeyPair(
  dir: string,
  options: { overwrite?: boolean } = {},
): { privateKeyFile: string; publicKeyFile: string; keyid: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  mkdirSync(dir, { recursive: true });
  const privateKeyFile = join(dir, VERDICT_KEY_FILES.privateKey);
  const publicKeyFile = join(dir, VERDICT_KEY_FILES.publicKey);
  const flag = options.overwrite ? "w" : "wx";
  // Checked before writing either file, so a refusal never leaves half a pair.
  if (!options.overwrite) {
    for (const file of [privateKeyFile, publicKeyFile]) {
      if (existsSync(file)) throw new VerdictKeyExistsError(file);
    }
  }
  const write = (file: string, text: string, mode: number) => {
    try {
      writeFileSync(file, text, { mode, flag });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new VerdictKeyExistsError(file);
      throw error;
    }
    // writeFile's mode applies only to a new file; an overwritten one keeps its old mode otherwise.
    chmodSync(file, mode);
  };
  write(privateKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
  write(publicKeyFile, publicKey.export({ type: "spki", format: "pem" }).toString(), 0o644);
  return { privateKeyFile, publicKeyFile, keyid: verdictKeyId(publicKey) };
}
