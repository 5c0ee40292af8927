/**
 * Errors the APIs (tenant and access management) turn into responses. Each carries the HTTP status and
 * the contract's error code, so a handler maps them without knowing which operation threw.
 */

export const errorCodes = {
  ValidationError: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  InternalError: 500,
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** Base class: an error with a contract error code and a message fit for the API caller. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ApiError";
    this.code = code;
    this.status = errorCodes[code];
  }
}

/** The error as the API answers it: an ApiError as is, anything else as a 500 that keeps the cause. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(
    "InternalError",
    "The request failed unexpectedly. Retry; if it persists, check the function's logs.",
    { cause: error },
  );
}

/** The request is malformed; `field` names the offending part (a body field, query parameter or header). */
export class RequestValidationError extends ApiError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super("ValidationError", message, options);
    this.name = "RequestValidationError";
    this.field = field;
  }
}

export class UnauthorizedError extends ApiError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(
      "Unauthorized",
      `The request is not authenticated: ${reason}. Send 'Authorization: Bearer <token>' with a current Cognito ID or access token of this environment's user pool and app client.`,
      options,
    );
    this.name = "UnauthorizedError";
  }
}

export class NotFoundError extends ApiError {
  constructor(what: string) {
    super("NotFound", `${what} was not found. Check the id (ids come from create and list responses).`);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("Conflict", message, options);
    this.name = "ConflictError";
  }
}

/** The function itself is misconfigured (environment variables, manifest); callers cannot fix it. */
export class ConfigurationError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("InternalError", message, options);
    this.name = "ConfigurationError";
  }
}

/** A dependency (DynamoDB, the JWKS endpoint) failed or answered something unexpected. */
export class DependencyError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("InternalError", message, options);
    this.name = "DependencyError";
  }
}

/** Raised by a package deliberately built with a defect (see sandbox/packaging); never by a good build. */
export class InjectedFaultError extends ApiError {
  constructor(message: string) {
    super("InternalError", message);
    this.name = "InjectedFaultError";
  }
}

/**
 * Thrown out of the handler by a `health-crash` build so the invocation itself fails (Lambda's
 * X-Amz-Function-Error: Unhandled), instead of answering with an error response.
 */
export class InjectedCrashError extends Error {
  constructor() {
    super("Health check crashed: the package was built with the health-crash fault. Deploy a healthy build.");
    this.name = "InjectedCrashError";
  }
}

/**
 * Thrown out of the handler by a `flaky` build on half of its invocations, at random, on every route: the
 * invocation fails (X-Amz-Function-Error: Unhandled) the way a build with a race or a bad dependency does.
 */
export class InjectedFlakyError extends Error {
  constructor() {
    super(
      "The invocation crashed: the package was built with the flaky fault (half of all calls fail). Deploy a healthy build.",
    );
    this.name = "InjectedFlakyError";
  }
}

/** Whether a `flaky` build fails this invocation: half of them, at random. */
export function flakyFails(): boolean {
  return Math.random() < 0.5;
}
