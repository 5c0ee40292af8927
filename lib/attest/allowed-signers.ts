/**
 * The allowed-signers file (the format `git` uses for SSH-signed commits, `man ssh-keygen`, ALLOWED
 * SIGNERS): one line per person and key, `principal namespaces="bbws-attest-<role>,..." ssh-ed25519 AAAA...`.
 * ssh-keygen is what checks signatures against it; this parser only answers "who may sign for what".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AttesterRole, attesterRoles } from "../../runbooks/schema.ts";
import { repoRoot } from "../run/index.ts";

/** The repository's allowed-signers file. */
export const DEFAULT_ALLOWED_SIGNERS = join(repoRoot, "runbooks", "allowed_signers");

/** Variable naming another allowed-signers file (a drill's test signers, a CI secret mount). */
export const ALLOWED_SIGNERS_ENV = "HARNESS_ALLOWED_SIGNERS";

/** The allowed-signers file in force: the flag, else HARNESS_ALLOWED_SIGNERS, else runbooks/allowed_signers. */
export function allowedSignersFile(
  flag: string | undefined = undefined,
  env: Record<string, string | undefined> = process.env,
): string {
  return flag || env[ALLOWED_SIGNERS_ENV] || DEFAULT_ALLOWED_SIGNERS;
}

const NAMESPACE_PREFIX = "bbws-attest-";

/** One key line of the file. */
export type AllowedSigner = {
  /** 1-based line number. */
  line: number;
  /** The principals (patterns, in ssh-keygen's terms) the line names. */
  principals: string[];
  /** Roles the line's key may sign for; "any" when the line has no namespaces restriction. */
  roles: AttesterRole[] | "any";
  keyType: string;
  key: string;
};

export type AllowedSigners = {
  signers: AllowedSigner[];
  /** Lines that could not be read, or that name an unknown role; each with its line number. */
  problems: Array<{ line: number; problem: string }>;
};

/** Splits at unquoted whitespace (outside "..."), keeping the quotes. */
function fields(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (current !== "") out.push(current);
      current = "";
    } else current += char;
  }
  if (current !== "") out.push(current);
  return out;
}

/** Splits an options field at unquoted commas. */
function options(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === ",") {
      out.push(current);
      current = "";
    } else current += char;
  }
  out.push(current);
  return out;
}

const unquote = (text: string) => text.replace(/^"(.*)"$/s, "$1");
const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;
const isRole = (name: string): name is AttesterRole => (attesterRoles as readonly string[]).includes(name);

/** Parses an allowed-signers file's text: who may sign for which role, and what could not be read. */
export function parseAllowedSigners(text: string): AllowedSigners {
  const signers: AllowedSigner[] = [];
  const problems: AllowedSigners["problems"] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const [principalField, second, ...more] = fields(trimmed);
    let optionField: string | undefined;
    let rest = more;
    let keyType = second;
    if (second !== undefined && !KEY_TYPE.test(second)) {
      optionField = second;
      [keyType, ...rest] = more;
    }
    const [key] = rest;
    if (
      principalField === undefined ||
      keyType === undefined ||
      key === undefined ||
      !KEY_TYPE.test(keyType)
    ) {
      problems.push({ line, problem: "is not `principal [options] key-type base64-key`" });
      return;
    }
    let roles: AttesterRole[] | "any" = "any";
    for (const option of optionField === undefined ? [] : options(optionField)) {
      const match = /^namespaces=(.*)$/i.exec(option);
      if (match?.[1] === undefined) continue;
      const namespaces = unquote(match[1]).split(",");
      roles = [];
      for (const namespace of namespaces) {
        if (!namespace.startsWith(NAMESPACE_PREFIX)) continue;
        const role = namespace.slice(NAMESPACE_PREFIX.length);
        if (isRole(role)) roles.push(role);
        else problems.push({ line, problem: `names the namespace ${namespace}, but ${role} is not a role` });
      }
    }
    signers.push({ line, principals: unquote(principalField).split(","), roles, keyType, key });
  });
  return { signers, problems };
}

/** Reads and parses an allowed-signers file (throws when it cannot be read). */
export function readAllowedSigners(file: string): AllowedSigners {
  return parseAllowedSigners(readFileSync(file, "utf8"));
}

/** Every principal with the roles it may sign for (the union over its lines). */
export function rolesByPrincipal(parsed: AllowedSigners): Map<string, Set<AttesterRole>> {
  const byPrincipal = new Map<string, Set<AttesterRole>>();
  for (const signer of parsed.signers) {
    for (const principal of signer.principals) {
      const roles = byPrincipal.get(principal) ?? new Set<AttesterRole>();
      for (const role of signer.roles === "any" ? attesterRoles : signer.roles) roles.add(role);
      byPrincipal.set(principal, roles);
    }
  }
  return byPrincipal;
}

/** The principals that may sign for a role, sorted (for "who may sign this" messages). */
export function principalsForRole(parsed: AllowedSigners, role: AttesterRole): string[] {
  return [...rolesByPrincipal(parsed)]
    .filter(([, roles]) => roles.has(role))
    .map(([principal]) => principal)
    .sort();
}

/** "alice@x, bob@y may sign for role R in <file>", or that nobody may. */
export function whoMaySign(parsed: AllowedSigners, role: AttesterRole, file: string): string {
  const principals = principalsForRole(parsed, role);
  return principals.length === 0
    ? `nobody in ${file} may sign for role ${role} (add the namespace ${NAMESPACE_PREFIX}${role} to a person's line)`
    : `${principals.join(", ")} may sign for role ${role} in ${file}`;
}
