/** A mutating request was refused before it was sent, because the environment's policy is read-only. */
export class ReadOnlyPolicyError extends Error {
  readonly method: string;
  readonly path: string;
  readonly environment: string;
  constructor(method: string, path: string, environment: string) {
    super(
      `Refused ${method} ${path} against ${environment}: the environment's policy is read-only, so the harness sends no mutating request there. ` +
        `Tag the test @mutating so it is skipped by policy in ${environment}, or run it against an environment that allows writes.`,
    );
    this.name = "ReadOnlyPolicyError";
    this.method = method;
    this.path = path;
    this.environment = environment;
  }
}

/** The API did not answer within the environment's `http.timeoutMs`. */
export class HttpTimeoutError extends Error {
  readonly url: string;
  readonly timeoutMs: number;
  constructor(method: string, url: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      `${method} ${url} got no complete response within ${timeoutMs} ms. ` +
        "The API is slow or hanging; check its latency and logs, or raise http.timeoutMs for this environment.",
      options,
    );
    this.name = "HttpTimeoutError";
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

/** The API could not be reached at all (connection refused, DNS failure, reset). */
export class HttpUnreachableError extends Error {
  readonly url: string;
  readonly code: string | undefined;
  constructor(method: string, url: string, code: string | undefined, options?: { cause?: unknown }) {
    super(
      `${method} ${url} could not be sent (${code ?? "network error"}). ` +
        "Check the environment's apiUrl (HARNESS_<ENV>_API_URL), the network path, and that the API is deployed.",
      options,
    );
    this.name = "HttpUnreachableError";
    this.url = url;
    this.code = code;
  }
}

/** The API client was created for an environment whose apiUrl is not usable (still "TBD"). */
export class ApiUrlMissingError extends Error {
  constructor(environment: string) {
    super(
      `The ${environment} environment has no API URL (the runbook still says "TBD"). ` +
        `Set HARNESS_${environment.toUpperCase()}_API_URL or fill apiUrl in the override file, then run again.`,
    );
    this.name = "ApiUrlMissingError";
  }
}
