/** A check found the target wrong; the message is the reason a person reads. */
export class CheckFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CheckFailedError";
  }
}

/** A check setting (HARNESS_EXPECTED_VERSION, ...) cannot be used. */
export class CheckConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CheckConfigError";
    this.variable = variable;
  }
}
