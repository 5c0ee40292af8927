import { readFileSync } from "node:fs";

/** The text every secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Shorter values are not registered: replacing them would shred ordinary text and hide nothing. */
const MIN_SECRET_LENGTH = 4;

/**
 * Keys whose values are secret wherever they appear (headers, JSON bodies, SDK params).
 * `nextToken` and friends are deliberately absent: pagination cursors are not credentials.
 */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-amz-security-token|password|new_?password|secret|client_?secret|secret_?access_?key|aws_secret_access_key|session_?token|aws_session_token|security_?token|access_?token|id_?token|refresh_?token|token)$/i;

/** Patterns that are secret whatever registered values say (a token from another process, a pasted key). */
const PATTERNS: ReadonlyArray<{ pattern: RegExp; replace: string }> = [
  // JWTs (and Cognito's 5-part JWE refresh tokens): header is base64url JSON, so it starts with eyJ.
  { pattern: /eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,3}\.[A-Za-z0-9_-]+/g, replace: REDACTED },
  // An Authorization header or field, in header, JSON or log-line form: everything up to the end of the value.
  {
    pattern: /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^"'\r\n]+/gi,
    replace: `$1$2${REDACTED}`,
  },
  // AWS secret keys and session tokens in env, ini, JSON and SDK-param form. Key ids (AKIA/ASIA) stay.
  {
    pattern:
      /\b(aws_secret_access_key|aws_session_token|aws_security_token|secret_?access_?key|session_?token|x-amz-security-token)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^\s"',}]+/gi,
    replace: `$1$2${REDACTED}`,
  },
  // Passwords in env dumps (BBWS_DEV_SMOKE_PASSWORD=...), JSON ("password": "...") and Cognito AuthParameters.
  {
    pattern: /\b([A-Za-z_]*password)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^\s"',}]+/gi,
    replace: `$1$2${REDACTED}`,
  },
];

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Forms a secret takes once embedded in JSON or a URL, so an escaped copy is caught too. */
function variantsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, json, encodeURIComponent(secret)])];
}

/**
 * Replaces registered secret values and well-known secret patterns with `[REDACTED]`.
 * One instance per process (`redactor`), so every attachment, log line and report written by that
 * process goes through the same list.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #matcher: RegExp | null = null;

  /** Adds a secret value; values shorter than 4 characters are ignored. Returns whether it was added. */
  register(value: string | null | undefined): boolean {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return false;
    for (const variant of variantsOf(value)) this.#secrets.add(variant);
    this.#matcher = null;
    return true;
  }

  /** Number of distinct secret strings (including escaped variants) registered. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Redacts registered secrets and secret patterns in a string. */
  redact(text: string): string {
    let out = text;
    const matcher = this.#secretMatcher();
    if (matcher) out = out.replace(matcher, REDACTED);
    for (const { pattern, replace } of PATTERNS) out = out.replace(pattern, replace);
    return out;
  }

  /** Deep-redacts a JSON-like value: strings are redacted, values under secret-looking keys replaced. */
  redactValue(value: unknown): unknown {
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((entry) => this.redactValue(entry));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        out[key] =
          SECRET_KEY.test(key) && entry !== null && entry !== "" ? REDACTED : this.redactValue(entry);
      }
      return out;
    }
    return value;
  }

  /** Redacts an HTTP header map (secret header names lose their value entirely). */
  redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, raw] of Object.entries(headers)) {
      if (raw === undefined) continue;
      const value = Array.isArray(raw) ? raw.join(", ") : raw;
      out[name.toLowerCase()] = SECRET_KEY.test(name) ? REDACTED : this.redact(value);
    }
    return out;
  }

  /** Forgets every registered secret (tests only; a real process keeps its list until exit). */
  clear(): void {
    this.#secrets.clear();
    this.#matcher = null;
  }

  #secretMatcher(): RegExp | null {
    if (this.#secrets.size === 0) return null;
    if (!this.#matcher) {
      // Longest first, so a secret that contains another is replaced whole.
      const alternatives = [...this.#secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#matcher = new RegExp(alternatives.join("|"), "g");
    }
    return this.#matcher;
  }
}

/** The process-wide redactor. */
export const redactor = new Redactor();

/** Redacts a string with the process-wide redactor. */
export function redact(text: string): string {
  return redactor.redact(text);
}

/** Registers a secret value with the process-wide redactor. */
export function registerSecret(value: string | null | undefined): boolean {
  return redactor.register(value);
}

const SECRET_ENV_NAME =
  /(^AWS_SECRET_ACCESS_KEY$|^AWS_SESSION_TOKEN$|^AWS_SECURITY_TOKEN$|_PASSWORD$|_SECRET$)/;

/** Extracts `aws_secret_access_key` / `aws_session_token` values from an AWS shared credentials file's text. */
export function secretsInCredentialsFile(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(aws_secret_access_key|aws_session_token|aws_security_token)\s*=\s*(\S+)\s*$/i.exec(
      line,
    );
    if (match?.[2]) out.push(match[2]);
  }
  return out;
}

/**
 * Registers the secrets a harness process can see in its environment: AWS secret keys and session
 * tokens, `*_PASSWORD` / `*_SECRET` variables, extra variable names (the config's secret sources), and
 * the secrets of the credentials file named by AWS_SHARED_CREDENTIALS_FILE. Returns how many were added.
 */
export function registerEnvironmentSecrets(
  env: Record<string, string | undefined> = process.env,
  extraNames: readonly string[] = [],
  target: Redactor = redactor,
): number {
  let added = 0;
  for (const [name, value] of Object.entries(env)) {
    if ((SECRET_ENV_NAME.test(name) || extraNames.includes(name)) && target.register(value)) added++;
  }
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE;
  if (credentialsFile) {
    try {
      for (const secret of secretsInCredentialsFile(readFileSync(credentialsFile, "utf8"))) {
        if (target.register(secret)) added++;
      }
    } catch {
      // A missing or unreadable credentials file is the SDK's problem to report; nothing to redact from it.
    }
  }
  return added;
}

/**
 * Redacts a stream of text chunks line by line, so a secret split across two chunks is still caught.
 * Call `end()` to flush the last partial line.
 */
export function createLineRedactor(write: (text: string) => void, target: Redactor = redactor) {
  let pending = "";
  return {
    push(chunk: string | Buffer): void {
      pending += chunk.toString();
      const lastNewline = pending.lastIndexOf("\n");
      if (lastNewline === -1) return;
      write(target.redact(pending.slice(0, lastNewline + 1)));
      pending = pending.slice(lastNewline + 1);
    },
    end(): void {
      if (pending) write(target.redact(pending));
      pending = "";
    },
  };
}
