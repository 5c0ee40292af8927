/**
 * The AWS account and region of each environment (the runbooks' section 10), and the credentials,
 * passwords and tokens generated per start so no secret is ever checked in or reused. The names of the
 * environments, services and functions are in manifest.ts.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { EnvironmentName } from "./manifest.ts";

/** Account and region per environment, as in the runbooks' section 10. */
export const environmentAccounts = {
  dev: { accountId: "536580886816", region: "eu-west-1" },
  sit: { accountId: "815856636111", region: "eu-west-1" },
  prod: { accountId: "093646564004", region: "af-south-1" },
} as const satisfies Record<EnvironmentName, { accountId: string; region: string }>;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function pick(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A fresh access key pair shaped like AWS's (AKIA + 16 uppercase alphanumerics, 40-char secret). */
export function generateCredentials(): Credentials {
  return { accessKeyId: `AKIA${pick(upperAlnum, 16)}`, secretAccessKey: pick(secretAlphabet, 40) };
}

/**
 * A password that meets Cognito's default policy (8+ chars, upper, lower, digit, symbol).
 * The symbols avoid shell and JSON metacharacters so the password survives copy-paste into a runbook command.
 */
export function generatePassword(): string {
  const classes = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "-_.,+=@%"];
  const chars = classes.map((alphabet) => pick(alphabet, 1));
  const all = classes.join("");
  while (chars.length < 24) chars.push(pick(all, 1));
  // Shuffle so the character classes are not always in the same positions.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const tmp = chars[i] ?? "";
    chars[i] = chars[j] ?? "";
    chars[j] = tmp;
  }
  return chars.join("");
}

/** A random token for the control API; only readers of the 0600 endpoints file know it. */
export function generateControlToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Builds a per-environment record from a function of the environment. */
export function perEnvironment<T>(make: (env: EnvironmentName) => T): Record<EnvironmentName, T> {
  return { dev: make("dev"), sit: make("sit"), prod: make("prod") };
}

/** Like perEnvironment, for asynchronous work run for all environments at once. */
export async function perEnvironmentAsync<T>(
  make: (env: EnvironmentName) => Promise<T>,
): Promise<Record<EnvironmentName, T>> {
  const [dev, sit, prod] = await Promise.all([make("dev"), make("sit"), make("prod")]);
  return { dev, sit, prod };
}
