/** A post-deploy check found the deployment wrong; the message is the reason a person reads. */
export class PostDeployCheckError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PostDeployCheckError";
  }
}

/** A post-deploy setting (HARNESS_EXPECTED_VERSION, ...) cannot be used. */
export class PostDeployConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PostDeployConfigError";
    this.variable = variable;
  }
}
