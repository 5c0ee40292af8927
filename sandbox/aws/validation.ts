/**
 * Request validation shared by the services: zod parsing that answers with the service's own
 * validation error (ValidationException, InvalidParameterException, ...) listing every problem.
 */
import { z } from "zod";
import type { AwsServiceError } from "./errors.ts";

/** Builds the service's validation error from AWS-style problem descriptions. */
export type ValidationErrorFactory = (message: string) => AwsServiceError;

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? "request" : issue.path.map(String).join(".");
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
    return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
  }
  return `Value at '${path}' failed to satisfy constraint: ${issue.message}`;
}

/** Parses `input` or throws the service's validation error naming every failing member. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  makeError: ValidationErrorFactory,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(describe);
  const count = problems.length;
  throw makeError(`${count} validation error${count === 1 ? "" : "s"} detected: ${problems.join("; ")}`);
}

/**
 * A timestamp member as any client sends it: a Date (CBOR, in-process), epoch seconds (JSON protocols)
 * or an ISO-8601 string (Query protocol, CLI).
 */
export const TimestampSchema = z
  .union([z.date(), z.number(), z.string()], {
    error: "Member must be a timestamp (epoch seconds or ISO-8601)",
  })
  .transform((value, ctx) => {
    const date =
      value instanceof Date
        ? value
        : typeof value === "number"
          ? new Date(value * 1000)
          : new Date(value.trim());
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "Member must be a timestamp (epoch seconds or ISO-8601)" });
      return z.NEVER;
    }
    return date;
  });

/** A JSON object body; anything else (array, string) is refused as the protocols do. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  const text = body.toString("utf8");
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}
