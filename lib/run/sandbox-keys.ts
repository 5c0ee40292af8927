/**
 * The sandbox's throw-away verdict key pair. The harness makes it (generateVerdictKeyPair) in the sandbox's state
 * folder on the first sandbox run that needs it, rather than the sandbox at start: the sandbox stands in for AWS
 * and imports no harness code, a verdict key is the harness's own concern (AWS holds no such key), and one
 * writer of the key format keeps the sandbox interface unchanged. A sandbox started by someone else, or an older
 * sandbox still running, gets a pair just the same.
 */
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { generateVerdictKeyPair, VERDICT_KEY_ENV, VERDICT_KEY_FILES } from "../verdict/envelope.ts";
import { RUN_ENV } from "./paths.ts";

/** The folder of the pair inside a sandbox state folder. */
export const SANDBOX_VERDICT_KEYS_DIR = "verdict-keys";

/** The sandbox's verdict key pair in `stateDir`, made on first use; `created` says whether this call made it. */
export function sandboxVerdictKeys(stateDir: string): {
  privateKeyFile: string;
  publicKeyFile: string;
  created: boolean;
} {
  const dir = join(stateDir, SANDBOX_VERDICT_KEYS_DIR);
  const privateKeyFile = join(dir, VERDICT_KEY_FILES.privateKey);
  const publicKeyFile = join(dir, VERDICT_KEY_FILES.publicKey);
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) {
    return { privateKeyFile, publicKeyFile, created: false };
  }
  if (existsSync(dir)) {
    // Half a pair (a file removed by hand): the pair is throw-away, so a new one replaces it.
    generateVerdictKeyPair(dir, { overwrite: true });
    return { privateKeyFile, publicKeyFile, created: true };
  }
  // Written aside and renamed into place, so two runs starting at once never see half a pair: the loser of the
  // rename uses the winner's.
  const tmp = join(
    stateDir,
    `${SANDBOX_VERDICT_KEYS_DIR}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  generateVerdictKeyPair(tmp);
  try {
    renameSync(tmp, dir);
    return { privateKeyFile, publicKeyFile, created: true };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) {
      return { privateKeyFile, publicKeyFile, created: false };
    }
    throw error;
  }
}

/**
 * The verdict-signing variables of a sandbox run: HARNESS_VERDICT_KEY_FILE (the sandbox's private key) unless
 * the caller set HARNESS_VERDICT_KEY_FILE or HARNESS_VERDICT_KEY, and HARNESS_VERDICT_TRUSTED_KEYS (its public
 * key) unless the caller set it or signs with a key of their own (whose public half only they can name). Makes
 * the pair only when it uses it.
 */
export function sandboxVerdictKeyEnv(
  stateDir: string,
  base: Record<string, string | undefined>,
): { env: Record<string, string>; created: string | null } {
  const ownKey = Boolean(base[VERDICT_KEY_ENV.file] || base[VERDICT_KEY_ENV.pem]);
  const ownTrust = Boolean(base[RUN_ENV.trustedVerdictKeys]);
  if (ownKey) return { env: {}, created: null };
  const keys = sandboxVerdictKeys(stateDir);
  return {
    env: {
      [VERDICT_KEY_ENV.file]: keys.privateKeyFile,
      ...(ownTrust ? {} : { [RUN_ENV.trustedVerdictKeys]: keys.publicKeyFile }),
    },
    created: keys.created ? join(stateDir, SANDBOX_VERDICT_KEYS_DIR) : null,
  };
}
