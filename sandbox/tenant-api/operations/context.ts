import { z } from "zod";
import { DependencyError, RequestValidationError } from "../../api-common/errors.ts";
import { parseInput } from "../../api-common/http.ts";
import type { Manifest } from "../../api-common/package-manifest.ts";
import { decodePageToken, defaultLimit, LimitSchema, type PageKey } from "../../api-common/pagination.ts";
import type { TenantApiConfig } from "../config.ts";
import { RouteTableError } from "../errors.ts";
import type { Item, Store } from "../store.ts";

/** What an operation receives: the parsed request and the function's dependencies. */
export interface OperationContext {
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body, `undefined` when the request had none. */
  body: unknown;
  store: Store;
  config: TenantApiConfig;
  manifest: Manifest;
  /** The request's timestamp (ISO-8601 UTC); every write of one request uses the same instant. */
  now: string;
}

export interface OperationResult {
  status: 200 | 201 | 204;
  body?: unknown;
}

export type Operation = (context: OperationContext) => Promise<OperationResult>;

/** A path parameter the router guarantees; a missing one is a routing bug, not a caller error. */
export function pathParam(context: OperationContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw new RouteTableError(name);
  return value;
}

/** Parses a required JSON body, naming every bad field in the 400. */
export function requiredBody<S extends z.ZodType>(context: OperationContext, schema: S): z.infer<S> {
  if (context.body === undefined) {
    throw new RequestValidationError(
      "body",
      "Invalid request body: body: is required (a JSON object). Send one and retry.",
    );
  }
  return parseInput(schema, context.body, "body");
}

/** Parses an optional JSON body (absent = `{}`). */
export function optionalBody<S extends z.ZodType>(context: OperationContext, schema: S): z.infer<S> {
  return parseInput(schema, context.body ?? {}, "body");
}

/** The `limit` and decoded `nextToken` of a list request, validated against the list's key shape. */
export function pageRequest<S extends z.ZodType<PageKey>>(
  query: { limit?: string | undefined; nextToken?: string | undefined },
  tokenKeySchema: S,
): { limit: number; startKey: z.infer<S> | undefined } {
  const limit = query.limit === undefined ? defaultLimit : parseInput(LimitSchema, query.limit, "limit");
  const startKey =
    query.nextToken === undefined ? undefined : decodePageToken(query.nextToken, tokenKeySchema);
  return { limit, startKey };
}

/** Key schema of a page token: exact partition key, sort key of the expected id shape. */
export function tokenKeySchema(pk: string, sk: RegExp, extra: Record<string, string> = {}) {
  const shape: Record<string, z.ZodType<string>> = { PK: z.literal(pk), SK: z.string().regex(sk) };
  for (const [name, value] of Object.entries(extra)) shape[name] = z.literal(value);
  return z.strictObject(shape);
}

/** Parses a stored item into its resource shape; a mismatch means the table holds foreign data. */
export function fromItem<S extends z.ZodType>(schema: S, item: Item, what: string): z.infer<S> {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new DependencyError(
      `A stored ${what} does not match the contract (${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}). Repair or remove the item (${String(item.PK)} / ${String(item.SK)}).`,
    );
  }
  return parsed.data;
}

/** ISO time `days` after `iso`. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}
