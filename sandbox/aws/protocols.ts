/**
 * The AWS wire protocols the sandbox answers in: JSON 1.0/1.1 (CloudWatch, Logs, SSM), REST-JSON
 * (Lambda), Query/XML (STS) and Smithy RPC v2 CBOR (what botocore sends to CloudWatch). Handlers return
 * plain objects with `Date` for timestamp members; this module renders them in each protocol's form.
 */
import type { ServerResponse } from "node:http";
import { cbor, tag } from "@smithy/core/cbor";
import { AwsServiceError } from "./errors.ts";

export type Protocol = "json-1.0" | "json-1.1" | "rest-json" | "query" | "cbor";

export interface ReplyContext {
  protocol: Protocol;
  requestId: string;
  /** awsQuery-compatible JSON service (CloudWatch): also send the query error code in `x-amzn-query-error`. */
  queryCompatible: boolean;
  /** Query protocol: the action whose `<ActionResponse>` wraps the result, and its XML namespace. */
  action?: string;
  xmlNamespace?: string;
  /** Smithy namespace prefixed to JSON error types (`com.amazonaws.cloudwatch#`), empty for none. */
  errorTypePrefix?: string;
}

const contentTypes: Record<Protocol, string> = {
  "json-1.0": "application/x-amz-json-1.0",
  "json-1.1": "application/x-amz-json-1.1",
  "rest-json": "application/json",
  query: "text/xml",
  cbor: "application/cbor",
};

/** A map member (string keys chosen by the user) as opposed to a structure; matters for Query XML only. */
export class WireMap {
  readonly entries: Record<string, unknown>;
  constructor(entries: Record<string, unknown>) {
    this.entries = entries;
  }
}

/** Converts handler output for JSON: Dates become epoch seconds, undefined members disappear. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof WireMap) return toJsonValue(value.entries);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toJsonValue(member);
    }
    return out;
  }
  return value;
}

function toCborValue(value: unknown): unknown {
  if (value instanceof Date) return tag({ tag: 1, value: value.getTime() / 1000 });
  if (value instanceof WireMap) return toCborValue(value.entries);
  if (Array.isArray(value)) return value.map(toCborValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toCborValue(member);
    }
    return out;
  }
  return value;
}

/** Turns a decoded CBOR request into plain JS: tag 1 (epoch seconds) becomes a Date, byte strings stay. */
export function fromCborValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(fromCborValue);
  if (value !== null && typeof value === "object") {
    if ("tag" in value && "value" in value && Object.keys(value).length === 2) {
      const seconds = value.value;
      if (Number(value.tag) === 1 && typeof seconds === "number") return new Date(seconds * 1000);
      return fromCborValue(seconds);
    }
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      // A "__proto__" map key must not become the decoded object's prototype.
      if (key !== "__proto__") out[key] = fromCborValue(member);
    }
    return out;
  }
  if (typeof value === "bigint") return Number(value);
  return value;
}

/** Decodes a CBOR body; undefined when it is not valid CBOR. */
export function decodeCbor(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return fromCborValue(cbor.deserialize(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)));
  } catch {
    return undefined;
  }
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Renders a value as Query-protocol XML: lists as `<member>`, maps as `<entry><key/><value/></entry>`. */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (value instanceof WireMap) {
    const entries = Object.entries(value.entries)
      .map(([key, member]) => `<entry><key>${escapeXml(key)}</key>${toXml("value", member)}</entry>`)
      .join("");
    return `<${name}>${entries}</${name}>`;
  }
  if (Array.isArray(value))
    return `<${name}>${value.map((member) => toXml("member", member)).join("")}</${name}>`;
  if (typeof value === "object") {
    const inner = Object.entries(value)
      .map(([key, member]) => toXml(key, member))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function baseHeaders(ctx: ReplyContext): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": contentTypes[ctx.protocol],
    "x-amzn-requestid": ctx.requestId,
  };
  if (ctx.protocol === "cbor") headers["smithy-protocol"] = "rpc-v2-cbor";
  return headers;
}

function write(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (res.headersSent || res.writableEnded) return;
  headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}

/** Writes a successful result in the request's protocol. */
export function sendResult(res: ServerResponse, ctx: ReplyContext, result: unknown, status = 200): void {
  const headers = baseHeaders(ctx);
  switch (ctx.protocol) {
    case "json-1.0":
    case "json-1.1":
    case "rest-json":
      write(res, status, headers, Buffer.from(JSON.stringify(toJsonValue(result ?? {}))));
      return;
    case "cbor":
      write(res, status, headers, Buffer.from(cbor.serialize(toCborValue(result ?? {}))));
      return;
    case "query": {
      const action = ctx.action ?? "Unknown";
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ctx.xmlNamespace ?? ""}">` +
        (result === undefined ? "" : toXml(`${action}Result`, result)) +
        `<ResponseMetadata><RequestId>${ctx.requestId}</RequestId></ResponseMetadata></${action}Response>`;
      write(res, status, headers, Buffer.from(xml));
      return;
    }
  }
}

/** Writes an AWS error in the request's protocol. */
export function sendError(res: ServerResponse, ctx: ReplyContext, error: AwsServiceError): void {
  const headers: Record<string, string> = {
    ...baseHeaders(ctx),
    ...error.headers,
    "x-amzn-errortype": error.code,
  };
  if (ctx.queryCompatible) headers["x-amzn-query-error"] = `${error.queryCode};${error.fault}`;
  switch (ctx.protocol) {
    case "json-1.0":
    case "json-1.1": {
      const body = {
        __type: `${ctx.errorTypePrefix ?? ""}${error.code}`,
        message: error.message,
        ...error.fields,
      };
      write(res, error.status, headers, Buffer.from(JSON.stringify(body)));
      return;
    }
    case "rest-json": {
      const body = {
        Type: error.fault === "Sender" ? "User" : "Service",
        message: error.message,
        ...error.fields,
      };
      write(res, error.status, headers, Buffer.from(JSON.stringify(body)));
      return;
    }
    case "cbor": {
      const body = {
        __type: `${ctx.errorTypePrefix ?? ""}${error.code}`,
        message: error.message,
        ...error.fields,
      };
      write(res, error.status, headers, Buffer.from(cbor.serialize(body)));
      return;
    }
    case "query": {
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ctx.xmlNamespace ?? ""}"><Error>` +
        `<Type>${error.fault}</Type><Code>${escapeXml(error.queryCode)}</Code><Message>${escapeXml(error.message)}</Message>` +
        `</Error><RequestId>${ctx.requestId}</RequestId></ErrorResponse>`;
      write(res, error.status, headers, Buffer.from(xml));
      return;
    }
  }
}

/** Writes a raw body (Lambda Invoke payloads, package downloads, proxied answers). */
export function sendRaw(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): void {
  write(res, status, { ...headers }, body);
}

/** Wraps anything thrown by a handler into an AwsServiceError (unknown throws become a 500). */
export function asServiceError(error: unknown, internalCode: string): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  return new AwsServiceError(
    internalCode,
    "The sandbox hit an internal error while handling the request; the server log has the details. Retry, and report it if it persists.",
    { status: 500, cause: error },
  );
}
