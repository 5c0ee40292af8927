/** A duration argument such as `--older-than` could not be read. */
export class DurationFormatError extends Error {
  readonly input: string;

  constructor(input: string, options?: ErrorOptions) {
    super(
      `Cannot read the duration "${input}": it must be a number followed by s, m, h or d (for example 30m or 2h), or 0. ` +
        "Pass --older-than with such a value.",
      options,
    );
    this.name = "DurationFormatError";
    this.input = input;
  }
}

/** The API answered a sweep's list request with something other than the contract's page. */
export class SweepListError extends Error {
  readonly operationId: string;

  constructor(operationId: string, detail: string, options?: ErrorOptions) {
    super(
      `The sweep could not list leftovers: ${operationId} failed (${detail}). ` +
        "Nothing was deleted; check that the API is up and the token is valid, then run the sweep again.",
      options,
    );
    this.name = "SweepListError";
    this.operationId = operationId;
  }
}
