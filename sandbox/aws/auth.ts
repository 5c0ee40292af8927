/**
 * SigV4 on the sandbox's wire: which account a request belongs to (the access key id in the credential
 * scope) and whether its signature is genuine (recomputed with @smithy/signature-v4, the signer the SDK
 * itself uses, so a wrong secret fails here exactly as it fails on AWS).
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";
import { z } from "zod";

export const SandboxAccountSchema = z.object({
  /** Environment name (dev, sit, prod, ...): used in the STS user ARN `user/bbws-sandbox-{name}`. */
  name: z.string().regex(/^[a-zA-Z0-9+=,.@_-]{1,40}$/, "must be a short IAM-safe name such as dev"),
  accountId: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, "must look like an AWS access key id (A-Z, 0-9)"),
  secretAccessKey: z.string().min(16, "must be at least 16 characters"),
});
export type SandboxAccount = z.infer<typeof SandboxAccountSchema>;

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=.../date/region/service/aws4_request, ...`. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Why a request was not authenticated; the server turns this into the protocol's error code. */
export type AuthFailureKind =
  | "missing"
  | "incomplete"
  | "unknown-key"
  | "bad-signature"
  | "expired"
  | "bad-region"
  | "bad-scope";

export type AuthResult =
  | { ok: true; account: SandboxAccount; scope: CredentialScope }
  | { ok: false; kind: AuthFailureKind; message: string };

const SCOPE_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** Reads the credential scope without checking anything else (used to pick the error protocol). */
export function parseAuthorization(header: string | undefined): CredentialScope | undefined {
  if (header === undefined) return undefined;
  const match = SCOPE_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  if (!accessKeyId || !date || !region || !service || !signedHeaders || !signature) return undefined;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** node:crypto SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 expects. */
class NodeSha256 implements Checksum {
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#create();
  }

  #create(): Hash | Hmac {
    const secret = this.#secret;
    if (secret === undefined) return createHash("sha256");
    const key =
      typeof secret === "string"
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    return createHmac("sha256", key);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#create();
  }
}

/** AWS refuses requests whose X-Amz-Date is more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h ?? 0, mi ?? 0, s ?? 0));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Splits a raw query string into decoded values without treating `+` as a space (SigV4 does not). */
export function parseRawQuery(rawQuery: string): Record<string, string | string[]> | undefined {
  // No prototype: a parameter named __proto__ must be data, not a prototype change.
  const query: Record<string, string | string[]> = Object.create(null);
  if (rawQuery === "") return query;
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
      value = eq === -1 ? "" : decodeURIComponent(part.slice(eq + 1));
    } catch {
      return undefined;
    }
    const existing = Object.hasOwn(query, key) ? query[key] : undefined;
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  return query;
}

export interface SignedRequest {
  method: string;
  /** The request target exactly as received (`req.url`), still percent-encoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Looks accounts up by access key and checks SigV4 signatures against their secrets. */
export class Authenticator {
  readonly #byKey: Map<string, SandboxAccount>;
  readonly #signers = new Map<string, SignatureV4>();
  readonly #isRegion: (region: string) => boolean;
  readonly #now: () => number;

  constructor(accounts: readonly SandboxAccount[], isRegion: (region: string) => boolean, now = Date.now) {
    this.#byKey = new Map(accounts.map((account) => [account.accessKeyId, account]));
    this.#isRegion = isRegion;
    this.#now = now;
  }

  /** The account owning an access key id, if configured. */
  accountForKey(accessKeyId: string): SandboxAccount | undefined {
    return this.#byKey.get(accessKeyId);
  }

  /** Authenticates a SigV4-signed request: known key, valid region, fresh date, matching signature. */
  async authenticate(request: SignedRequest): Promise<AuthResult> {
    const header = headerValue(request.headers, "authorization");
    if (header === undefined || header.trim() === "") {
      return { ok: false, kind: "missing", message: "Missing Authentication Token" };
    }
    const scope = parseAuthorization(header);
    if (!scope) {
      return {
        ok: false,
        kind: "incomplete",
        message:
          "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters in the AWS4-HMAC-SHA256 form. " +
          "Sign requests with an AWS SDK or the AWS CLI.",
      };
    }
    const account = this.#byKey.get(scope.accessKeyId);
    if (!account) {
      return {
        ok: false,
        kind: "unknown-key",
        message: "The security token included in the request is invalid.",
      };
    }
    if (!this.#isRegion(scope.region)) {
      return {
        ok: false,
        kind: "bad-region",
        message: `Credential should be scoped to a valid region, not '${scope.region}'. `,
      };
    }
    const amzDate = headerValue(request.headers, "x-amz-date");
    if (amzDate === undefined) {
      return {
        ok: false,
        kind: "incomplete",
        message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      };
    }
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate || !amzDate.startsWith(scope.date)) {
      return {
        ok: false,
        kind: "bad-scope",
        message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}'.`,
      };
    }
    const skew = signingDate.getTime() - this.#now();
    if (Math.abs(skew) > MAX_SKEW_MS) {
      return {
        ok: false,
        kind: "expired",
        message: `Signature ${skew < 0 ? "expired" : "not yet current"}: ${amzDate} is more than 15 minutes from the server time ${new Date(this.#now()).toISOString()}. Check the client's clock.`,
      };
    }
    if (!scope.signedHeaders.includes("host")) {
      return {
        ok: false,
        kind: "incomplete",
        message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      };
    }
    const expected = await this.#sign(account, scope, signingDate, request);
    if (expected === undefined) {
      return {
        ok: false,
        kind: "incomplete",
        message: "The request target is not a valid percent-encoded URL.",
      };
    }
    const given = Buffer.from(scope.signature, "hex");
    const computed = Buffer.from(expected, "hex");
    if (given.length !== computed.length || !timingSafeEqual(given, computed)) {
      return {
        ok: false,
        kind: "bad-signature",
        message:
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      };
    }
    return { ok: true, account, scope };
  }

  async #sign(
    account: SandboxAccount,
    scope: CredentialScope,
    signingDate: Date,
    request: SignedRequest,
  ): Promise<string | undefined> {
    const questionMark = request.rawUrl.indexOf("?");
    const path = questionMark === -1 ? request.rawUrl : request.rawUrl.slice(0, questionMark);
    const query = parseRawQuery(questionMark === -1 ? "" : request.rawUrl.slice(questionMark + 1));
    if (!query) return undefined;
    const signed = new Set(scope.signedHeaders);
    const headers: Record<string, string> = {};
    const unsignable = new Set<string>();
    for (const name of Object.keys(request.headers)) {
      const value = headerValue(request.headers, name);
      if (value === undefined) continue;
      headers[name] = value;
      if (!signed.has(name)) unsignable.add(name);
    }
    // The signer adds X-Amz-Date itself; keep it out of the canonical headers when the client did not sign it.
    if (!signed.has("x-amz-date")) unsignable.add("x-amz-date");
    let signer = this.#signers.get(account.accessKeyId);
    if (!signer) {
      signer = new SignatureV4({
        credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
        region: scope.region,
        service: scope.service,
        sha256: NodeSha256,
        applyChecksum: false,
        uriEscapePath: true,
      });
      this.#signers.set(account.accessKeyId, signer);
    }
    const hostHeader = headers.host ?? "";
    const signedRequest = await signer.sign(
      {
        method: request.method,
        protocol: "http:",
        hostname: hostHeader,
        path,
        query,
        headers,
        body: request.body.length === 0 ? undefined : request.body,
      },
      {
        signingDate,
        signingRegion: scope.region,
        signingService: scope.service,
        signableHeaders: signed,
        unsignableHeaders: unsignable,
      },
    );
    const authorization = signedRequest.headers.authorization ?? signedRequest.headers.Authorization;
    return /Signature=([0-9a-f]{64})/.exec(authorization ?? "")?.[1];
  }
}
