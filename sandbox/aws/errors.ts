/**
 * Errors of the sandbox's AWS services. `AwsServiceError` is what a client sees: it is written back in
 * the wire shape of the protocol the request came in on (JSON `__type`, Lambda's `x-amzn-ErrorType`,
 * Query XML `<ErrorResponse>`, CBOR), with the code and wording AWS uses so SDK error names match.
 */

/** Who AWS blames for an error: the caller (4xx) or the service (5xx). */
export type ErrorFault = "Sender" | "Receiver";

export interface AwsServiceErrorOptions {
  /** HTTP status; 400 unless given. */
  status?: number;
  fault?: ErrorFault;
  /** The awsQuery code when it differs from `code` (CloudWatch: InvalidParameterValueException -> InvalidParameterValue). */
  queryCode?: string;
  /** Extra members of the error body, e.g. Lambda's `Reason` on TooManyRequestsException. */
  fields?: Record<string, string | number>;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An AWS API error answered to the client, e.g. ResourceNotFoundException (404). */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: ErrorFault;
  readonly queryCode: string;
  readonly fields: Record<string, string | number>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, options: AwsServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AwsServiceError";
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? "Receiver" : "Sender");
    this.queryCode = options.queryCode ?? code;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/** The AWS server could not start (port in use, code directory not writable). */
export class AwsSandboxStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AwsSandboxStartError";
  }
}

/** A Lambda package could not be stored or unpacked into the code directory. */
export class LambdaCodeStoreError extends Error {
  readonly codeSha256: string;
  constructor(codeSha256: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LambdaCodeStoreError";
    this.codeSha256 = codeSha256;
  }
}
