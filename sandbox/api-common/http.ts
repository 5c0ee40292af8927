import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type ApiError, RequestValidationError } from "./errors.ts";

/**
 * The API Gateway REST (v1) proxy event, parsed leniently: the runbook invokes the function directly
 * with only `{httpMethod, path, headers}`, and API Gateway adds many fields this API does not use.
 */
export const ProxyEventSchema = z.looseObject({
  httpMethod: z.string().min(1),
  path: z.string().startsWith("/"),
  headers: z.record(z.string(), z.string().nullable()).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(z.string()).nullable()).nullish(),
  queryStringParameters: z.record(z.string(), z.string().nullable()).nullish(),
  multiValueQueryStringParameters: z.record(z.string(), z.array(z.string()).nullable()).nullish(),
  pathParameters: z.record(z.string(), z.string().nullable()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  requestContext: z.looseObject({ requestId: z.string().optional(), stage: z.string().optional() }).nullish(),
});
export type ProxyEvent = z.infer<typeof ProxyEventSchema>;

export interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Request id: API Gateway's when proxied, the Lambda invocation's when invoked directly, else a fresh one. */
export function requestIdOf(event: unknown, context: unknown): string {
  const fromEvent = z.object({ requestContext: z.object({ requestId: z.string().min(1) }) }).safeParse(event);
  if (fromEvent.success) return fromEvent.data.requestContext.requestId;
  const fromContext = z.object({ awsRequestId: z.string().min(1) }).safeParse(context);
  return fromContext.success ? fromContext.data.awsRequestId : randomUUID();
}

/** Case-insensitive header lookup over both `headers` and `multiValueHeaders`. */
export function headerOf(event: ProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value != null) return value;
  }
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values && values.length > 0) return values[values.length - 1];
  }
  return undefined;
}

/** Query parameters as a plain record (API Gateway puts the last value of a repeated key here). */
export function queryOf(event: ProxyEvent): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value != null) query[key] = value;
  }
  return query;
}

/** The JSON body, or `undefined` when there is none. Malformed JSON is a 400 naming `body`. */
export function jsonBodyOf(event: ProxyEvent): unknown {
  if (event.body == null || event.body === "") return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RequestValidationError(
      "body",
      "body: is not valid JSON. Send a JSON object with 'content-type: application/json'.",
      { cause },
    );
  }
}

/** Formats zod issues as `field: problem` lines so a 400 names every bad field at once. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  root: string,
): { field: string; text: string } {
  const parts = issues.map((issue) => {
    // An empty record key (a tag named "") would otherwise print as a dangling dot.
    const path = issue.path.map((segment) => (String(segment) === "" ? '""' : String(segment))).join(".");
    if (issue.code === "unrecognized_keys") {
      const where = path === "" ? "" : `${path}.`;
      return {
        field: `${where}${issue.keys.join(", ")}`,
        text: `${issue.keys.map((key) => `${where}${key}`).join(", ")}: unknown field, remove it`,
      };
    }
    const field = path === "" ? root : path;
    return { field, text: `${field}: ${issue.message}` };
  });
  return { field: parts[0]?.field ?? root, text: parts.map((part) => part.text).join("; ") };
}

/** Parses `value` with `schema`, or throws a 400 whose message names every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, text } = describeIssues(result.error.issues, root);
  throw new RequestValidationError(
    field,
    `Invalid ${root === "body" ? "request body" : "query"}: ${text}. Correct it and retry.`,
  );
}

const baseHeaders = (requestId: string): Record<string, string> => ({ "x-request-id": requestId });

/** A JSON response with the contract's headers. */
export function jsonResponse(statusCode: number, body: unknown, requestId: string): ProxyResult {
  return {
    statusCode,
    headers: { ...baseHeaders(requestId), "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

/** A 204 response: no body, no content type. */
export function emptyResponse(requestId: string): ProxyResult {
  return { statusCode: 204, headers: baseHeaders(requestId), body: "" };
}

/** The contract's error body: `{"error": {code, message}, "requestId"}`. */
export function errorResponse(error: ApiError, requestId: string): ProxyResult {
  return jsonResponse(
    error.status,
    { error: { code: error.code, message: error.message }, requestId },
    requestId,
  );
}
