import { performance } from "node:perf_hooks";
import type { Agent, Dispatcher } from "undici";
import { redactor as processRedactor, type Redactor } from "../redact/index.ts";
import { HttpTimeoutError, HttpUnreachableError, ReadOnlyPolicyError } from "./errors.ts";
import type { RequestLog } from "./request-log.ts";
import { undici } from "./undici.ts";

export const httpMethods = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** Methods that change state; refused in a read-only environment. */
const MUTATING: ReadonlySet<HttpMethod> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether a method changes state on the server. */
export function isMutating(method: HttpMethod): boolean {
  return MUTATING.has(method);
}

/** `"token"` = the environment's smoke-user JWT; `"none"`; or an explicit token (e.g. a tampered one). */
export type AuthMode = "token" | "none" | { token: string };

export type QueryValue = string | number | boolean | undefined;

export type ApiRequest = {
  method: HttpMethod;
  /** Path relative to the API base URL, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body (serialised by the client). */
  body?: unknown;
  /** A body sent verbatim instead of `body` (e.g. malformed JSON on purpose). */
  rawBody?: string;
  /** Defaults to `"token"`. */
  auth?: AuthMode;
  headers?: Record<string, string>;
};

export type ApiResponse = {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or null when the body is empty or not JSON. Validate it with a zod schema. */
  body: unknown;
  text: string;
  durationMs: number;
};

export type ApiClientOptions = {
  baseUrl: string;
  environment: string;
  readOnly: boolean;
  timeoutMs: number;
  agent: Dispatcher;
  log: RequestLog;
  /** Returns the bearer token for `auth: "token"`; called only when such a request is sent. */
  tokenProvider?: () => Promise<string>;
  runId?: string | null;
  /** Title path of the current test, written into each log entry. */
  test?: string | null;
  redactor?: Redactor;
  /** Bodies longer than this are truncated in the log (evidence, not archive). */
  maxLoggedBodyChars?: number;
};

/** Creates the shared keep-alive undici Agent with connect/headers/body timeouts of `timeoutMs`. */
export function createHttpAgent(options: { timeoutMs: number; connections?: number }): Agent {
  return new (undici().Agent)({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connections: options.connections ?? 16,
  });
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === "object") {
    if ("code" in error && typeof error.code === "string") return error.code;
    if ("cause" in error) return errorCode(error.cause);
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  if (error instanceof Error && error.name === "TimeoutError") return true;
  const code = errorCode(error);
  return code !== undefined && TIMEOUT_CODES.has(code);
}

function buildUrl(baseUrl: string, path: string, query: Record<string, QueryValue> | undefined): string {
  // Concatenate rather than `new URL(path, base)`, which would drop a stage prefix such as `/prod`.
  const url = new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * The harness's client for the Tenant & Instance Management API. Every request and response is
 * recorded (redacted) in the request log; mutating requests against a read-only environment are
 * refused before anything is sent.
 */
export class ApiClient {
  readonly #options: ApiClientOptions;
  readonly #redactor: Redactor;
  #mutatingRequestCount = 0;

  constructor(options: ApiClientOptions) {
    this.#options = options;
    this.#redactor = options.redactor ?? processRedactor;
  }

  /** Number of mutating requests actually sent by this client. */
  get mutatingRequestCount(): number {
    return this.#mutatingRequestCount;
  }

  /** The environment's API base URL. */
  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** Sends one request and returns the status, headers, parsed body and timing. */
  async request(req: ApiRequest): Promise<ApiResponse> {
    const { method } = req;
    const url = buildUrl(this.#options.baseUrl, req.path, req.query);
    const authMode = req.auth ?? "token";
    const logAuth = authMode === "token" || authMode === "none" ? authMode : "explicit";
    const startedAt = new Date().toISOString();
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    let bodyText: string | null = null;
    if (req.rawBody !== undefined) bodyText = req.rawBody;
    else if (req.body !== undefined) bodyText = JSON.stringify(req.body);
    if (bodyText !== null && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["content-type"] = "application/json";
    }
    const baseEntry = {
      seq: this.#options.log.nextSeq,
      startedAt,
      runId: this.#options.runId ?? null,
      test: this.#options.test ?? null,
      method,
      url: this.#redactor.redact(url),
      auth: logAuth,
      requestBody: bodyText === null ? null : this.#redactBody(bodyText),
    } as const;

    if (isMutating(method) && this.#options.readOnly) {
      const error = new ReadOnlyPolicyError(method, req.path, this.#options.environment);
      this.#options.log.add({
        ...baseEntry,
        requestHeaders: this.#redactor.redactHeaders(headers),
        status: null,
        responseHeaders: {},
        responseBody: null,
        durationMs: 0,
        error: error.message,
      });
      throw error;
    }

    if (authMode === "token") {
      if (!this.#options.tokenProvider) {
        throw new Error(
          `${method} ${req.path} needs the smoke user's token, but this API client has no token provider. Use the api fixture, or pass auth: "none".`,
        );
      }
      headers.authorization = `Bearer ${await this.#options.tokenProvider()}`;
    } else if (authMode !== "none") {
      headers.authorization = `Bearer ${authMode.token}`;
    }

    const started = performance.now();
    try {
      const response = await undici().request(url, {
        method,
        headers,
        body: bodyText ?? null,
        dispatcher: this.#options.agent,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      if (isMutating(method)) this.#mutatingRequestCount++;
      const text = await response.body.text();
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const responseHeaders = flattenHeaders(response.headers);
      this.#options.log.add({
        ...baseEntry,
        requestHeaders: this.#redactor.redactHeaders(headers),
        status: response.statusCode,
        responseHeaders: this.#redactor.redactHeaders(responseHeaders),
        responseBody: this.#redactBody(text),
        durationMs,
        error: null,
      });
      return {
        status: response.statusCode,
        headers: responseHeaders,
        body: parseJson(text),
        text,
        durationMs,
      };
    } catch (error) {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const failure = isTimeout(error)
        ? new HttpTimeoutError(method, this.#redactor.redact(url), this.#options.timeoutMs, { cause: error })
        : new HttpUnreachableError(method, this.#redactor.redact(url), errorCode(error), { cause: error });
      this.#options.log.add({
        ...baseEntry,
        requestHeaders: this.#redactor.redactHeaders(headers),
        status: null,
        responseHeaders: {},
        responseBody: null,
        durationMs,
        error: failure.message,
      });
      throw failure;
    }
  }

  #redactBody(text: string): string {
    const max = this.#options.maxLoggedBodyChars ?? 64 * 1024;
    // Redact structurally when it is JSON, so secret-looking keys lose their values whatever they hold.
    const parsed = parseJson(text);
    const redacted =
      parsed !== null && typeof parsed === "object"
        ? JSON.stringify(this.#redactor.redactValue(parsed))
        : this.#redactor.redact(text);
    return redacted.length > max
      ? `${redacted.slice(0, max)}…[truncated ${redacted.length - max} chars]`
      : redacted;
  }
}
