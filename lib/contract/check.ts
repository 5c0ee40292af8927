import type { z } from "zod";
import { ContractViolationError } from "./errors.ts";
import { type OperationId, type OperationResponse, operations } from "./operations.ts";
import { endpointLabel } from "./paths.ts";
import { type ErrorBody, ErrorBodySchema, errorStatusByCode } from "./resources.ts";

/** The parts of an HTTP response the contract speaks about. */
export interface ResponseLike {
  status: number;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** Raw body text, when the caller has it (used to tell "no body" from "empty JSON"). */
  text?: string;
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const MAX_EXCERPT = 300;

/** One `path: message` line per zod issue, the house style for schema errors. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".");
    return `${path}: ${issue.message}`;
  });
}

function excerpt(response: ResponseLike): string {
  const text = response.text ?? JSON.stringify(response.body) ?? "";
  return text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT)}...` : text;
}

function headerProblems(response: ResponseLike): string[] {
  if (response.headers === undefined) return [];
  const requestId = response.headers["x-request-id"];
  return requestId === undefined || requestId.length === 0 ? ["header x-request-id is missing"] : [];
}

/** Checks a response against an operation's success status and schema; returns the typed body. */
export function checkSuccess<Id extends OperationId>(
  id: Id,
  response: ResponseLike,
): CheckResult<OperationResponse<Id>>;
export function checkSuccess(id: OperationId, response: ResponseLike): CheckResult<unknown> {
  const { success } = operations[id];
  if (response.status !== success.status) {
    return {
      ok: false,
      problems: [`status ${response.status}, expected ${success.status}; body: ${excerpt(response)}`],
    };
  }
  const problems = headerProblems(response);
  if (success.schema === null) {
    const empty = response.text === undefined ? response.body === undefined : response.text.length === 0;
    if (!empty) problems.push(`expected no body with ${success.status}, got: ${excerpt(response)}`);
    return problems.length === 0 ? { ok: true, value: undefined } : { ok: false, problems };
  }
  const parsed = success.schema.safeParse(response.body);
  if (!parsed.success) problems.push(...formatIssues(parsed.error));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, value: parsed.data };
}

/** Checks an error response: the expected status, the error envelope, and a code that fits the status. */
export function checkError(response: ResponseLike, expectedStatus: number): CheckResult<ErrorBody> {
  if (response.status !== expectedStatus) {
    return {
      ok: false,
      problems: [`status ${response.status}, expected ${expectedStatus}; body: ${excerpt(response)}`],
    };
  }
  const problems = headerProblems(response);
  const parsed = ErrorBodySchema.safeParse(response.body);
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error).map((line) => `error body ${line}`));
    return { ok: false, problems };
  }
  const statusOfCode = errorStatusByCode[parsed.data.error.code];
  if (statusOfCode !== expectedStatus) {
    problems.push(
      `error code ${parsed.data.error.code} belongs to status ${statusOfCode}, got ${expectedStatus}`,
    );
  }
  return problems.length === 0 ? { ok: true, value: parsed.data } : { ok: false, problems };
}

/** Like checkSuccess, but throws a ContractViolationError naming the endpoint. */
export function assertSuccess<Id extends OperationId>(id: Id, response: ResponseLike): OperationResponse<Id> {
  const result = checkSuccess(id, response);
  if (!result.ok) throw new ContractViolationError(id, endpointLabel(id), result.problems);
  return result.value;
}

/** Like checkError, but throws a ContractViolationError naming the endpoint. */
export function assertError(id: OperationId, response: ResponseLike, expectedStatus: number): ErrorBody {
  const result = checkError(response, expectedStatus);
  if (!result.ok) throw new ContractViolationError(id, endpointLabel(id), result.problems);
  return result.value;
}
