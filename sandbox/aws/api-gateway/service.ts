/**
 * The API Gateway (REST, Lambda proxy integration) front of one environment: each HTTP request becomes
 * an API Gateway proxy event and an invoke of the live alias through the in-process Lambda service, so
 * weighted alias routing, throttling, metrics and logs behave as they do behind API Gateway on AWS.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { BodyTooLargeError, closeServer, listenOnLoopback, readBody, sendJson } from "../http.ts";
import type { InvokeResult } from "../index.ts";

/** API Gateway's payload limit for REST APIs. */
export const apiBodyLimitBytes = 10 * 1024 * 1024;

/** Invokes `functionName:qualifier` in the given account and region (sandbox/aws's `lambda.invoke`). */
export type LambdaInvoker = (
  accountId: string,
  region: string,
  functionName: string,
  qualifier: string,
  payload: Buffer,
) => Promise<InvokeResult>;

export interface ApiFrontOptions {
  env: string;
  accountId: string;
  region: string;
  functionName: string;
  alias: string;
  invoke: LambdaInvoker;
  /** Extra latency per request, read on every request so it can change at run time. */
  latencyMs: () => number;
  port?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface ApiFront {
  readonly url: string;
  readonly apiId: string;
  close(): Promise<void>;
}

/** Lambda proxy integration response, as API Gateway accepts it. */
const ProxyResponseSchema = z.object({
  statusCode: z.coerce.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

/** An invoke error's AWS error code (sandbox/aws's AwsServiceError carries it in `code`), else its name. */
function errorName(error: unknown): string {
  const coded = z.object({ code: z.string() }).safeParse(error);
  if (coded.success) return coded.data.code;
  const named = z.object({ name: z.string() }).safeParse(error);
  return named.success ? named.data.name : "";
}

const throttleNames = new Set(["TooManyRequestsException", "ThrottlingException", "ThrottledError"]);
const tooLargeNames = new Set(["RequestTooLargeException", "RequestEntityTooLargeException"]);

function apiGatewayTime(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

/** Original-case headers (API Gateway v1 keeps the case the client sent) plus their multi-value form. */
function collectHeaders(req: IncomingMessage): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    headers[name] = value;
    const values = multiValueHeaders[name] ?? [];
    values.push(value);
    multiValueHeaders[name] = values;
  }
  return { headers, multiValueHeaders };
}

function collectQuery(search: URLSearchParams): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of search) {
    single[key] = value;
    const values = multi[key] ?? [];
    values.push(value);
    multi[key] = values;
  }
  if (Object.keys(single).length === 0)
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/** Starts one environment's API front on 127.0.0.1. */
export async function startApiFront(options: ApiFrontOptions): Promise<ApiFront> {
  const apiId = randomBytes(5).toString("hex").slice(0, 10);
  const gatewayError = (
    res: ServerResponse,
    status: number,
    message: string,
    type: string,
    requestId: string,
  ) => sendJson(res, status, { message }, { "x-amzn-RequestId": requestId, "x-amzn-ErrorType": type });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const latency = options.latencyMs();
    if (latency > 0) await sleep(latency);
    const rawUrl = req.url ?? "/";
    let url: URL;
    let path: string;
    try {
      url = new URL(rawUrl, "http://api.invalid");
      path = decodeURIComponent(url.pathname);
    } catch {
      gatewayError(res, 400, "Bad Request", "BadRequestException", requestId);
      return;
    }
    let bodyBytes: Buffer;
    try {
      bodyBytes = await readBody(req, apiBodyLimitBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader("connection", "close");
        gatewayError(
          res,
          413,
          `HTTP content length exceeded ${apiBodyLimitBytes} bytes.`,
          "RequestTooLargeException",
          requestId,
        );
        return;
      }
      throw error;
    }
    const method = req.method ?? "GET";
    const now = new Date();
    const { headers, multiValueHeaders } = collectHeaders(req);
    const event = {
      resource: "/{proxy+}",
      path,
      httpMethod: method,
      headers,
      multiValueHeaders,
      ...collectQuery(url.searchParams),
      pathParameters: path === "/" ? null : { proxy: path.slice(1) },
      stageVariables: null,
      requestContext: {
        resourceId: apiId.slice(0, 6),
        resourcePath: "/{proxy+}",
        httpMethod: method,
        extendedRequestId: randomBytes(8).toString("base64url"),
        requestTime: apiGatewayTime(now),
        path: `/${options.env}${path}`,
        accountId: options.accountId,
        protocol: `HTTP/${req.httpVersion}`,
        stage: options.env,
        domainPrefix: "127",
        requestTimeEpoch: now.getTime(),
        requestId,
        identity: {
          sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
          userAgent: req.headers["user-agent"] ?? null,
        },
        domainName: req.headers.host ?? "127.0.0.1",
        apiId,
      },
      body: bodyBytes.length === 0 ? null : bodyBytes.toString("utf8"),
      isBase64Encoded: false,
    };

    let result: InvokeResult;
    try {
      result = await options.invoke(
        options.accountId,
        options.region,
        options.functionName,
        options.alias,
        Buffer.from(JSON.stringify(event)),
      );
    } catch (error) {
      const name = errorName(error);
      if (throttleNames.has(name)) {
        gatewayError(res, 429, "Too Many Requests", "TooManyRequestsException", requestId);
      } else if (tooLargeNames.has(name)) {
        gatewayError(res, 413, "Request Too Long", "RequestTooLargeException", requestId);
      } else {
        options.log?.(
          `api ${options.env}: invoke of ${options.functionName}:${options.alias} failed: ${String(error)}`,
        );
        gatewayError(res, 500, "Internal server error", "InternalServerErrorException", requestId);
      }
      return;
    }
    if (result.statusCode === 429) {
      gatewayError(res, 429, "Too Many Requests", "TooManyRequestsException", requestId);
      return;
    }
    if (result.functionError || result.statusCode >= 300) {
      gatewayError(res, 502, "Internal server error", "InternalServerErrorException", requestId);
      return;
    }
    let parsed: z.infer<typeof ProxyResponseSchema>;
    try {
      const response = ProxyResponseSchema.safeParse(
        JSON.parse(Buffer.from(result.payload).toString("utf8")),
      );
      if (!response.success) throw response.error;
      parsed = response.data;
    } catch (error) {
      // API Gateway answers a malformed proxy response with 502, as here.
      options.log?.(`api ${options.env}: malformed Lambda proxy response: ${String(error)}`);
      gatewayError(res, 502, "Internal server error", "InternalServerErrorException", requestId);
      return;
    }
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, values] of Object.entries(parsed.multiValueHeaders ?? {})) {
      responseHeaders[name] = values.map(String);
    }
    for (const [name, value] of Object.entries(parsed.headers ?? {})) responseHeaders[name] = String(value);
    const hasContentType = Object.keys(responseHeaders).some((name) => name.toLowerCase() === "content-type");
    if (!hasContentType) responseHeaders["Content-Type"] = "application/json";
    const body =
      parsed.body === null || parsed.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(parsed.body, parsed.isBase64Encoded ? "base64" : "utf8");
    res.setHeader("x-amzn-RequestId", requestId);
    res.setHeader("x-amz-apigw-id", event.requestContext.extendedRequestId.slice(0, 11));
    res.setHeader(
      "X-Amzn-Trace-Id",
      `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`,
    );
    for (const [name, value] of Object.entries(responseHeaders)) {
      // content-length is recomputed from the body actually sent.
      if (name.toLowerCase() !== "content-length") res.setHeader(name, value);
    }
    res.setHeader("Content-Length", String(body.length));
    res.writeHead(parsed.statusCode);
    res.end(method === "HEAD" ? undefined : body);
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch((error: unknown) => {
      options.log?.(
        `api ${options.env}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent)
        gatewayError(res, 500, "Internal server error", "InternalServerErrorException", requestId);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  const url = await listenOnLoopback(server, options.port ?? 0);
  return {
    url,
    apiId,
    close: () => closeServer(server),
  };
}
