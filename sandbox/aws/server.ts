/**
 * The HTTP front of the sandbox's AWS services: one node:http server that recognises each request the
 * way AWS endpoints do (X-Amz-Target, Smithy RPC v2 CBOR path, Lambda REST path, Query `Action=`,
 * credential scope), authenticates it with SigV4, and answers in that protocol's wire shape. Nothing a
 * client sends can take it down: bodies are capped, every handler is wrapped, internal bugs are a
 * logged 500 in the protocol's shape.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { type Authenticator, type AuthFailureKind, parseAuthorization, parseRawQuery } from "./auth.ts";
import type { CloudWatchBackend } from "./cloudwatch/service.ts";
import { cloudWatchOperations } from "./cloudwatch/wire.ts";
import { AwsServiceError } from "./errors.ts";
import type { CodeStore, StoredPackage } from "./lambda/code-store.ts";
import { handleLambda } from "./lambda/routes.ts";
import { type LambdaBackend, MAX_PAYLOAD_BYTES } from "./lambda/service.ts";
import type { LogsBackend } from "./logs/service.ts";
import {
  asServiceError,
  decodeCbor,
  type Protocol,
  type ReplyContext,
  sendError,
  sendRaw,
  sendResult,
} from "./protocols.ts";
import { parseQueryRequest } from "./query.ts";
import type { CallContext, Operation } from "./regional.ts";
import type { SsmBackend } from "./ssm/service.ts";
import { getCallerIdentity } from "./sts/service.ts";
import { parseJsonBody } from "./validation.ts";

/** Request bodies above this are refused with 413 (Lambda code uploads get `MAX_CODE_UPLOAD_BYTES`). */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;
/** A 50 MB zip, base64 in JSON, as Lambda accepts for direct uploads. */
const MAX_CODE_UPLOAD_BYTES = 70 * 1024 * 1024;
/** An over-limit body is read and discarded up to this much so the client sees the 413, then cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const CODE_URL_TTL_SECONDS = 600;

type ServiceName = "lambda" | "monitoring" | "logs" | "ssm" | "sts" | "dynamodb" | "cognito-idp";

type Route =
  | { kind: "json"; service: "monitoring" | "logs" | "ssm"; operation: string }
  | { kind: "cbor"; service: "monitoring"; operation: string }
  | { kind: "lambda" }
  | { kind: "query"; service: "sts" | "monitoring" }
  | { kind: "proxy"; service: "dynamodb" | "cognito-idp"; operation: string }
  | { kind: "unknown"; service: ServiceName | undefined; what: string };

const targetPrefixes: Record<string, ServiceName> = {
  DynamoDB_20120810: "dynamodb",
  GraniteServiceVersion20100801: "monitoring",
  Logs_20140328: "logs",
  AmazonSSM: "ssm",
  AWSCognitoIdentityProviderService: "cognito-idp",
};

/** Cognito operations AWS serves without SigV4 (authenticated by tokens or not at all). */
const cognitoUnsignedOperations: ReadonlySet<string> = new Set([
  "AssociateSoftwareToken",
  "ChangePassword",
  "ConfirmDevice",
  "ConfirmForgotPassword",
  "ConfirmSignUp",
  "DeleteUser",
  "DeleteUserAttributes",
  "ForgetDevice",
  "ForgotPassword",
  "GetDevice",
  "GetTokensFromRefreshToken",
  "GetUser",
  "GetUserAttributeVerificationCode",
  "GlobalSignOut",
  "InitiateAuth",
  "ListDevices",
  "ResendConfirmationCode",
  "RespondToAuthChallenge",
  "RevokeToken",
  "SetUserMFAPreference",
  "SetUserSettings",
  "SignUp",
  "UpdateDeviceStatus",
  "UpdateUserAttributes",
  "VerifySoftwareToken",
  "VerifyUserAttribute",
]);

const xmlNamespaces: Partial<Record<ServiceName, string>> = {
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  monitoring: "http://monitoring.amazonaws.com/doc/2010-08-01/",
};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function identify(req: IncomingMessage, path: string, scopeService: string | undefined): Route {
  const target = header(req, "x-amz-target");
  if (target !== undefined) {
    const dot = target.indexOf(".");
    const prefix = dot === -1 ? target : target.slice(0, dot);
    const operation = dot === -1 ? "" : target.slice(dot + 1);
    const service = Object.hasOwn(targetPrefixes, prefix) ? targetPrefixes[prefix] : undefined;
    if (service === "dynamodb" || service === "cognito-idp") return { kind: "proxy", service, operation };
    if (service === "monitoring" || service === "logs" || service === "ssm")
      return { kind: "json", service, operation };
    return { kind: "unknown", service: scopeToService(scopeService), what: `X-Amz-Target ${target}` };
  }
  const cbor = /^\/service\/([^/]+)\/operation\/([^/]+)$/.exec(path);
  if (cbor && header(req, "smithy-protocol") === "rpc-v2-cbor") {
    if (cbor[1] === "GraniteServiceVersion20100801" && cbor[2]) {
      return { kind: "cbor", service: "monitoring", operation: cbor[2] };
    }
    return { kind: "unknown", service: scopeToService(scopeService), what: `${cbor[1]}.${cbor[2]}` };
  }
  if (/^\/\d{4}-\d{2}-\d{2}\//.test(path) && (scopeService === undefined || scopeService === "lambda")) {
    return { kind: "lambda" };
  }
  if (scopeService === "sts" || scopeService === "monitoring")
    return { kind: "query", service: scopeService };
  if (scopeService === undefined && path === "/") {
    const contentType = header(req, "content-type") ?? "";
    if (contentType.startsWith("application/x-www-form-urlencoded") || req.method === "GET") {
      return { kind: "query", service: "sts" };
    }
  }
  return { kind: "unknown", service: scopeToService(scopeService), what: `${req.method ?? "?"} ${path}` };
}

function scopeToService(scope: string | undefined): ServiceName | undefined {
  switch (scope) {
    case "lambda":
    case "monitoring":
    case "logs":
    case "ssm":
    case "sts":
    case "dynamodb":
    case "cognito-idp":
      return scope;
    default:
      return undefined;
  }
}

function routeService(route: Route): ServiceName | undefined {
  switch (route.kind) {
    case "lambda":
      return "lambda";
    case "unknown":
      return route.service;
    default:
      return route.service;
  }
}

function replyContext(route: Route, requestId: string): ReplyContext {
  const service = routeService(route);
  let protocol: Protocol;
  switch (route.kind) {
    case "lambda":
      protocol = "rest-json";
      break;
    case "cbor":
      protocol = "cbor";
      break;
    case "query":
      protocol = "query";
      break;
    default:
      protocol =
        service === "lambda"
          ? "rest-json"
          : service === "sts"
            ? "query"
            : service === "monitoring" || service === "dynamodb"
              ? "json-1.0"
              : "json-1.1";
  }
  const ctx: ReplyContext = {
    protocol,
    requestId,
    queryCompatible: service === "monitoring" && protocol !== "query",
  };
  const namespace = service === undefined ? undefined : xmlNamespaces[service];
  if (namespace !== undefined) ctx.xmlNamespace = namespace;
  return ctx;
}

function authError(kind: AuthFailureKind, message: string, protocol: Protocol): AwsServiceError {
  const query = protocol === "query";
  switch (kind) {
    case "missing":
      return query
        ? new AwsServiceError("MissingAuthenticationToken", "Request is missing Authentication Token", {
            status: 403,
          })
        : new AwsServiceError("MissingAuthenticationTokenException", message, { status: 403 });
    case "incomplete":
      return new AwsServiceError(query ? "IncompleteSignature" : "IncompleteSignatureException", message, {
        status: 400,
      });
    case "unknown-key":
      return new AwsServiceError(query ? "InvalidClientTokenId" : "UnrecognizedClientException", message, {
        status: 403,
      });
    default:
      return new AwsServiceError(query ? "SignatureDoesNotMatch" : "InvalidSignatureException", message, {
        status: 403,
      });
  }
}

export interface ServerDeps {
  authenticator: Authenticator;
  lambda: LambdaBackend;
  cloudwatch: CloudWatchBackend;
  logs: LogsBackend;
  ssm: SsmBackend;
  codeStore: CodeStore;
  dynamodbBackend: (accountId: string, region: string) => Promise<string>;
  cognitoBackend: string | undefined;
  controlHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  log: (line: string) => void;
  now: () => number;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false; received: number };

/** Reads the request body up to `limit` bytes; beyond it, discards (without keeping) and reports. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(header(req, "content-length") ?? Number.NaN);
    const chunks: Buffer[] = [];
    let received = 0;
    let over = Number.isFinite(declared) && declared > limit;
    if (over) {
      resolve({ ok: false, received: declared });
      drain(req);
      return;
    }
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      received += chunk.length;
      if (received > limit) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false, received });
        drain(req);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!over) resolve({ ok: true, body: Buffer.concat(chunks) });
    });
    req.on("error", () => {
      if (!over) resolve({ ok: false, received });
    });
  });
}

/** Lets an over-limit upload finish into the void (so the client reads the 413), up to a hard cap. */
function drain(req: IncomingMessage): void {
  let drained = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.destroy();
  });
  req.resume();
}

function bodyLimitFor(method: string, path: string): number {
  if (method === "POST" && /^\/2015-03-31\/functions\/?$/.test(path)) return MAX_CODE_UPLOAD_BYTES;
  if (method === "PUT" && /^\/2015-03-31\/functions\/[^/]+\/code$/.test(path)) return MAX_CODE_UPLOAD_BYTES;
  if (method === "POST" && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(path))
    return MAX_PAYLOAD_BYTES;
  return MAX_BODY_BYTES;
}

function tooLarge(route: Route, received: number, limit: number): AwsServiceError {
  if (route.kind === "lambda" && limit === MAX_PAYLOAD_BYTES) {
    return new AwsServiceError(
      "RequestTooLargeException",
      `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      { status: 413, headers: { connection: "close" } },
    );
  }
  return new AwsServiceError(
    "RequestEntityTooLargeException",
    `The request body of ${received} bytes exceeds the limit of ${limit} bytes; send a smaller request.`,
    { status: 413, headers: { connection: "close" } },
  );
}

/** Builds the request listener and the code-URL signer of one server. */
export function createRequestHandler(deps: ServerDeps): {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  codeLocation: (baseUrl: string, pkg: StoredPackage) => string;
} {
  const cloudwatch = cloudWatchOperations(deps.cloudwatch);
  const codeSecret = randomBytes(32);
  const signCode = (shaHex: string, expires: number) =>
    createHmac("sha256", codeSecret).update(`${shaHex}\n${expires}`).digest("hex");

  const codeLocation = (baseUrl: string, pkg: StoredPackage) => {
    const expires = Math.floor(deps.now() / 1000) + CODE_URL_TTL_SECONDS;
    return `${baseUrl}/_lambda-code/${pkg.shaHex}.zip?X-Amz-Expires=${CODE_URL_TTL_SECONDS}&Expires=${expires}&X-Amz-Signature=${signCode(pkg.shaHex, expires)}`;
  };

  function serveCode(res: ServerResponse, path: string, query: Record<string, string | string[]>): void {
    const shaHex = /^\/_lambda-code\/([0-9a-f]{64})\.zip$/.exec(path)?.[1];
    const expires = Number(query.Expires);
    const signature = typeof query["X-Amz-Signature"] === "string" ? query["X-Amz-Signature"] : "";
    const s3Error = (status: number, code: string, message: string) =>
      sendRaw(
        res,
        status,
        { "content-type": "application/xml" },
        Buffer.from(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        ),
      );
    const problem = ((): [number, string, string] | undefined => {
      if (!shaHex || !Number.isInteger(expires)) return [403, "AccessDenied", "Access Denied"];
      const expected = Buffer.from(signCode(shaHex, expires), "hex");
      const given = Buffer.from(signature, "hex");
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return [
          403,
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided.",
        ];
      }
      if (expires * 1000 < deps.now()) return [403, "AccessDenied", "Request has expired"];
      return undefined;
    })();
    const pkg = shaHex === undefined ? undefined : deps.codeStore.get(shaHex);
    if (problem) {
      s3Error(...problem);
      return;
    }
    if (!pkg) {
      s3Error(404, "NoSuchKey", "The specified key does not exist.");
      return;
    }
    sendRaw(res, 200, { "content-type": "application/zip", etag: `"${pkg.shaHex.slice(0, 32)}"` }, pkg.bytes);
  }

  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    baseUrl: string,
    body: Buffer | undefined,
    reply: ReplyContext,
  ): Promise<void> {
    const target = new URL(req.url ?? "/", baseUrl);
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    if (body !== undefined) headers["content-length"] = String(body.length);
    await new Promise<void>((resolve) => {
      const upstream = httpRequest(target, { method: req.method ?? "GET", headers }, (response) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (
            value === undefined ||
            name === "connection" ||
            name === "keep-alive" ||
            name === "transfer-encoding"
          )
            continue;
          out[name] = value;
        }
        if (!res.headersSent) res.writeHead(response.statusCode ?? 502, out);
        response.pipe(res);
        response.on("end", resolve);
        response.on("error", () => {
          res.destroy();
          resolve();
        });
      });
      upstream.on("error", (error) => {
        deps.log(`aws: backend ${baseUrl} did not answer: ${String(error)}`);
        sendError(
          res,
          reply,
          new AwsServiceError(
            "ServiceUnavailableException",
            `The sandbox's backend for this service did not answer (${error.message}); restart the sandbox if it persists.`,
            { status: 503 },
          ),
        );
        resolve();
      });
      upstream.end(body);
    });
  }

  async function runJson(
    operations: Record<string, Operation>,
    operation: string,
    input: unknown,
    ctx: CallContext,
  ): Promise<unknown> {
    // Own properties only: "constructor" or "toString" must not reach Object.prototype.
    const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!handler) {
      throw new AwsServiceError(
        "UnknownOperationException",
        `The sandbox does not implement the operation ${operation}. Supported: ${Object.keys(operations).join(", ")}.`,
      );
    }
    return handler(input, ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const questionMark = rawUrl.indexOf("?");
    const rawPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
    const rawQuery = questionMark === -1 ? "" : rawUrl.slice(questionMark + 1);

    if (rawPath === "/_sandbox" || rawPath.startsWith("/_sandbox/")) {
      if (deps.controlHandler) return deps.controlHandler(req, res);
      sendRaw(
        res,
        404,
        { "content-type": "application/json" },
        Buffer.from('{"message":"No control handler is configured."}'),
      );
      return;
    }
    if (method === "GET" && rawPath.startsWith("/_lambda-code/")) {
      serveCode(res, rawPath, parseRawQuery(rawQuery) ?? {});
      return;
    }
    const wellKnown = /^\/[\w-]+_[0-9a-zA-Z]+\/\.well-known\/(jwks\.json|openid-configuration)$/.test(
      rawPath,
    );
    if (method === "GET" && wellKnown) {
      if (!deps.cognitoBackend) {
        sendRaw(
          res,
          404,
          { "content-type": "application/json" },
          Buffer.from('{"message":"No Cognito backend is configured."}'),
        );
        return;
      }
      return proxy(req, res, deps.cognitoBackend, undefined, {
        protocol: "json-1.1",
        requestId,
        queryCompatible: false,
      });
    }

    const scope = parseAuthorization(header(req, "authorization"));
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const route = identify(req, rawPath, scope?.service);
    const reply = replyContext(route, requestId);
    const fail = (error: AwsServiceError) => sendError(res, reply, error);

    const limit = bodyLimitFor(method, rawPath);
    const read = await readBody(req, limit);
    if (!read.ok) return fail(tooLarge(route, read.received, limit));
    const rawBody = read.body;

    if (route.kind === "unknown") {
      return fail(
        new AwsServiceError(
          reply.protocol === "query" ? "InvalidAction" : "UnknownOperationException",
          `The sandbox does not serve ${route.what}${scope ? ` (credential scope service '${scope.service}')` : ""}. It serves Lambda, CloudWatch, CloudWatch Logs, SSM, STS, DynamoDB and Cognito user pools.`,
        ),
      );
    }

    // Unsigned Cognito calls (InitiateAuth, ...) pass straight through, as on AWS.
    const unsignedCognito =
      route.kind === "proxy" &&
      route.service === "cognito-idp" &&
      header(req, "authorization") === undefined &&
      cognitoUnsignedOperations.has(route.operation);
    if (unsignedCognito) {
      if (!deps.cognitoBackend) {
        return fail(
          new AwsServiceError(
            "UnknownOperationException",
            "No Cognito backend is configured in this sandbox.",
          ),
        );
      }
      return proxy(req, res, deps.cognitoBackend, rawBody, reply);
    }

    const auth = await deps.authenticator.authenticate({
      method,
      rawUrl,
      headers: req.headers,
      body: rawBody,
    });
    if (!auth.ok) return fail(authError(auth.kind, auth.message, reply.protocol));
    const service = routeService(route);
    if (service !== undefined && auth.scope.service !== service) {
      return fail(
        authError(
          "bad-scope",
          `Credential should be scoped to correct service: '${service}'.`,
          reply.protocol,
        ),
      );
    }
    // The SDKs gzip large CloudWatch PutMetricData bodies; the signature covers the compressed bytes.
    let body = rawBody;
    if (/\bgzip\b/.test(header(req, "content-encoding") ?? "")) {
      try {
        body = gunzipSync(rawBody, { maxOutputLength: limit });
      } catch (error) {
        return fail(
          new AwsServiceError(
            "SerializationException",
            `The gzip-encoded request body could not be decompressed within ${limit} bytes (${error instanceof Error ? error.message : String(error)}).`,
          ),
        );
      }
    }
    const ctx: CallContext = {
      account: auth.account,
      accountId: auth.account.accountId,
      region: auth.scope.region,
      requestId,
    };

    switch (route.kind) {
      case "proxy": {
        if (route.service === "dynamodb") {
          let base: string;
          try {
            base = await deps.dynamodbBackend(ctx.accountId, ctx.region);
          } catch (error) {
            deps.log(`aws: no DynamoDB backend for ${ctx.accountId}/${ctx.region}: ${String(error)}`);
            return fail(
              new AwsServiceError(
                "ServiceUnavailableException",
                `DynamoDB for account ${ctx.accountId} in ${ctx.region} is not available in this sandbox right now; retry, or restart the sandbox if it persists.`,
                { status: 503, cause: error },
              ),
            );
          }
          return proxy(req, res, base, rawBody, reply);
        }
        if (!deps.cognitoBackend) {
          return fail(
            new AwsServiceError(
              "UnknownOperationException",
              "No Cognito backend is configured in this sandbox.",
            ),
          );
        }
        return proxy(req, res, deps.cognitoBackend, rawBody, reply);
      }
      case "json": {
        const input = parseJsonBody(body);
        if (input === undefined || input === null || typeof input !== "object" || Array.isArray(input)) {
          return fail(
            new AwsServiceError(
              "SerializationException",
              "The request body is not a JSON object; check the request encoding.",
            ),
          );
        }
        const operations =
          route.service === "monitoring"
            ? cloudwatch
            : route.service === "logs"
              ? deps.logs.operations()
              : deps.ssm.operations();
        const result = await runJson(operations, route.operation, input, ctx);
        return sendResult(res, reply, result);
      }
      case "cbor": {
        const input = decodeCbor(body);
        if (input === undefined || input === null || typeof input !== "object" || Array.isArray(input)) {
          return fail(new AwsServiceError("SerializationException", "The request body is not a CBOR map."));
        }
        const result = await runJson(cloudwatch, route.operation, input, ctx);
        return sendResult(res, reply, result);
      }
      case "query": {
        const params = new URLSearchParams(method === "GET" ? rawQuery : body.toString("utf8"));
        const query = parseQueryRequest(params);
        reply.action = query.action ?? "Unknown";
        if (query.action === undefined) {
          return fail(
            new AwsServiceError(
              "MissingAction",
              "Missing Action: the Query request has no Action parameter.",
            ),
          );
        }
        if (route.service === "sts") {
          if (query.action !== "GetCallerIdentity") {
            return fail(
              new AwsServiceError(
                "InvalidAction",
                `Could not find operation ${query.action} for version ${query.version ?? "(none)"}; the sandbox's STS implements GetCallerIdentity only.`,
              ),
            );
          }
          return sendResult(res, reply, getCallerIdentity(auth.account));
        }
        if (!Object.hasOwn(cloudwatch, query.action)) {
          return fail(
            new AwsServiceError(
              "InvalidAction",
              `Could not find operation ${query.action} for version ${query.version ?? "(none)"}.`,
            ),
          );
        }
        const result = await runJson(cloudwatch, query.action, query.input, ctx);
        const empty = result !== null && typeof result === "object" && Object.keys(result).length === 0;
        return sendResult(res, reply, empty ? undefined : result);
      }
      case "lambda": {
        const segments = path.split("/").slice(1);
        if (segments[segments.length - 1] === "") segments.pop();
        const answer = await handleLambda(deps.lambda, ctx, {
          method,
          segments,
          query: parseRawQuery(rawQuery) ?? {},
          headers: req.headers,
          body,
        });
        if (answer.kind === "json") return sendResult(res, reply, answer.body, answer.status);
        if (answer.kind === "empty") {
          return sendRaw(res, answer.status, { "x-amzn-requestid": requestId }, Buffer.alloc(0));
        }
        return sendRaw(res, answer.status, answer.headers, answer.body);
      }
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    req.on("error", () => {});
    res.on("error", () => {});
    handle(req, res, requestId).catch((error: unknown) => {
      const serviceError = asServiceError(error, "InternalFailure");
      if (serviceError.status >= 500) {
        deps.log(
          `aws: ${req.method} ${req.url} failed (request ${requestId}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const scope = parseAuthorization(header(req, "authorization"));
      const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
      const reply = replyContext(identify(req, rawPath, scope?.service), requestId);
      const code =
        serviceError.status >= 500 && reply.protocol === "rest-json" ? "ServiceException" : serviceError.code;
      sendError(
        res,
        reply,
        code === serviceError.code
          ? serviceError
          : new AwsServiceError(code, serviceError.message, { status: serviceError.status }),
      );
    });
  };

  return { listener, codeLocation };
}
