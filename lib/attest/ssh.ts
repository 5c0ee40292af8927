/**
 * Signing and verifying records with OpenSSH (`ssh-keygen -Y sign` / `-Y verify`). The payload goes in on
 * stdin; the signature's namespace is `bbws-attest-<role>`, and allowed_signers says which namespaces each
 * person's key may sign in, so one verify proves both whose key it is and that they may sign for the role.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAllowedSigners } from "./allowed-signers.ts";
import { SigningError, SshKeygenMissingError } from "./errors.ts";
import {
  type AttestationRecord,
  canonicalPayload,
  signatureNamespace,
  type UnsignedAttestationRecord,
} from "./record.ts";

/** The ssh-keygen the harness runs: HARNESS_SSH_KEYGEN, else the one on PATH. */
export function sshKeygenCommand(env: Record<string, string | undefined> = process.env): string {
  return env.HARNESS_SSH_KEYGEN || "ssh-keygen";
}

type Ran = { code: number; stdout: string; stderr: string };

/** Runs ssh-keygen with `input` on stdin; resolves with its exit code and output (rejects only if it cannot start). */
export function runSshKeygen(args: readonly string[], input: string, timeoutMs?: number): Promise<Ran> {
  const command = sshKeygenCommand();
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: "utf8", maxBuffer: 1 << 20, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) },
      (error, stdout, stderr) => {
        if (error && "code" in error && error.code === "ENOENT") {
          reject(new SshKeygenMissingError(command, { cause: error }));
          return;
        }
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 255;
        resolve({ code, stdout, stderr });
      },
    );
    // An early exit (bad key file) closes stdin; the write error is the exit code's business, not a crash.
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
  });
}

/** Signs a record with an SSH private key (or a .pub whose key ssh-agent holds) in its role's namespace. */
export async function signAttestation(
  record: UnsignedAttestationRecord,
  keyFile: string,
): Promise<AttestationRecord> {
  // No timeout: a key with a passphrase makes ssh-keygen ask on the terminal.
  const ran = await runSshKeygen(
    ["-Y", "sign", "-f", keyFile, "-n", signatureNamespace(record.role), "-q"],
    canonicalPayload(record),
  );
  if (ran.code !== 0 || !ran.stdout.includes("-----BEGIN SSH SIGNATURE-----")) {
    throw new SigningError(keyFile, ran.stderr);
  }
  return { ...record, signature: ran.stdout };
}

/** Why a record's signature does not hold. */
export type VerificationProblemKind =
  | "unsigned"
  | "invalid-signature"
  | "wrong-key"
  | "role-not-allowed"
  | "no-allowed-signers"
  | "error";

export type Verification =
  | { ok: true; principal: string; role: string }
  | { ok: false; kind: VerificationProblemKind; problem: string };

const VERIFY_TIMEOUT_MS = 15_000;

/**
 * Verifies a record's signature against an allowed-signers file: `ssh-keygen -Y verify -f <file> -I
 * <principal> -n bbws-attest-<role> -s <sig>` with the canonical payload on stdin. When that fails, it
 * finds out why with two more runs in parallel (`-Y find-principals`: whose key signed; `-Y
 * check-novalidate`: whether the signature matches the payload at all), so the message can say "changed
 * after signing", "not <principal>'s key" or "<principal> may not sign for <role>".
 */
export async function verifyAttestation(
  record: AttestationRecord,
  allowedSignersFile: string,
): Promise<Verification> {
  const { principal, role } = record;
  if (record.signature === undefined) {
    return {
      ok: false,
      kind: "unsigned",
      problem: "it is unsigned (no signature): anyone could have typed it",
    };
  }
  if (!existsSync(allowedSignersFile)) {
    return {
      ok: false,
      kind: "no-allowed-signers",
      problem: `the allowed-signers file ${allowedSignersFile} does not exist, so no signature can be checked (pass --allowed-signers or set HARNESS_ALLOWED_SIGNERS)`,
    };
  }
  const namespace = signatureNamespace(role);
  const payload = canonicalPayload(record);
  const folder = await mkdtemp(join(tmpdir(), "bbws-attest-verify-"));
  try {
    const signatureFile = join(folder, "record.sig");
    await writeFile(signatureFile, record.signature);
    const verified = await runSshKeygen(
      ["-Y", "verify", "-f", allowedSignersFile, "-I", principal, "-n", namespace, "-s", signatureFile],
      payload,
      VERIFY_TIMEOUT_MS,
    );
    if (verified.code === 0) return { ok: true, principal, role };
    const [found, checked] = await Promise.all([
      runSshKeygen(
        ["-Y", "find-principals", "-f", allowedSignersFile, "-s", signatureFile],
        "",
        VERIFY_TIMEOUT_MS,
      ),
      runSshKeygen(
        ["-Y", "check-novalidate", "-n", namespace, "-s", signatureFile],
        payload,
        VERIFY_TIMEOUT_MS,
      ),
    ]);
    const owners = found.code === 0 ? found.stdout.split("\n").filter((line) => line.trim() !== "") : [];
    if (checked.code !== 0) {
      const why = /namespace does not match/i.test(checked.stderr)
        ? `it was not signed for role ${role} (signature namespace is not ${namespace})`
        : "the signature does not match the record's content";
      return {
        ok: false,
        kind: "invalid-signature",
        problem: `its signature is invalid: ${why}, so the record was changed after it was signed`,
      };
    }
    if (!owners.includes(principal)) {
      const whose =
        owners.length > 0
          ? `the key belongs to ${owners.join(", ")}`
          : `the key is in no line of ${allowedSignersFile}`;
      return {
        ok: false,
        kind: "wrong-key",
        problem: `it is not signed by the key of ${principal} (${whose})`,
      };
    }
    let allowed = "";
    try {
      const parsed = readAllowedSigners(allowedSignersFile);
      const lines = parsed.signers.filter((signer) => signer.principals.includes(principal));
      const roles = [...new Set(lines.flatMap((signer) => (signer.roles === "any" ? [] : signer.roles)))];
      allowed = ` (${allowedSignersFile} lets them sign for ${roles.length > 0 ? roles.join(", ") : "no role"})`;
    } catch {
      // The file was readable to ssh-keygen a moment ago; without the detail the message still holds.
    }
    return {
      ok: false,
      kind: "role-not-allowed",
      problem: `${principal} may not sign for role ${role}${allowed}`,
    };
  } catch (error) {
    if (error instanceof SshKeygenMissingError) return { ok: false, kind: "error", problem: error.message };
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Verifies several records at once (in parallel), in order. */
export function verifyAttestations(
  records: readonly AttestationRecord[],
  allowedSignersFile: string,
): Promise<Verification[]> {
  return Promise.all(records.map((record) => verifyAttestation(record, allowedSignersFile)));
}
