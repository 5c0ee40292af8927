import { z } from "zod";
import { RequestValidationError } from "./errors.ts";

/** A DynamoDB key as the document client returns it (all key attributes here are strings). */
export type PageKey = Record<string, string>;

export const LimitSchema = z
  .string()
  .regex(/^\d{1,3}$/, "must be an integer from 1 to 100")
  .transform(Number)
  .pipe(
    z.number().int().min(1, "must be an integer from 1 to 100").max(100, "must be an integer from 1 to 100"),
  );

export const defaultLimit = 20;

/** nextToken = base64url(JSON(LastEvaluatedKey)): opaque to callers, meaningful only to this API. */
export function encodePageToken(key: PageKey): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * Decodes a nextToken and checks it is a key of the list being read (`schema`), so a token from another
 * list, a truncated token or a hand-made one is a 400 rather than a DynamoDB error.
 */
export function decodePageToken<S extends z.ZodType<PageKey>>(token: string, schema: S): z.infer<S> {
  const invalid = (cause?: unknown) =>
    new RequestValidationError(
      "nextToken",
      "Invalid query: nextToken: is not a token this list returned. Pass the nextToken of the previous page unchanged, or omit it to start from the first page.",
      { cause },
    );
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (cause) {
    throw invalid(cause);
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}
