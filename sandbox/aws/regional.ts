/**
 * Per-(account, region) state, the isolation unit of every AWS service: a resource created with DEV's
 * credentials in eu-west-1 is invisible to SIT's credentials and to DEV in another region.
 */
import type { SandboxAccount } from "./auth.ts";

/** Who is calling and where: the account of the access key and the region of the credential scope. */
export interface CallContext {
  account: SandboxAccount;
  accountId: string;
  region: string;
  requestId: string;
}

/** An operation of a JSON-protocol service: parsed body in, result object out. */
export type Operation = (input: unknown, ctx: CallContext) => unknown;

/** Lazily created state per (account, region). */
export class Regional<T> {
  readonly #states = new Map<string, T>();
  readonly #create: (accountId: string, region: string) => T;

  constructor(create: (accountId: string, region: string) => T) {
    this.#create = create;
  }

  /** The state of (accountId, region), created empty on first use. */
  get(accountId: string, region: string): T {
    const key = `${accountId}/${region}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      state = this.#create(accountId, region);
      this.#states.set(key, state);
    }
    return state;
  }

  /** The state of (accountId, region) if it was ever used. */
  peek(accountId: string, region: string): T | undefined {
    return this.#states.get(`${accountId}/${region}`);
  }

  entries(): IterableIterator<[string, T]> {
    return this.#states.entries();
  }
}

/** Opaque pagination tokens (an offset), refused when tampered with. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

export function decodeToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (parsed !== null && typeof parsed === "object" && "o" in parsed) {
      const offset = parsed.o;
      if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
