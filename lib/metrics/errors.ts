/** A metric input that cannot be evaluated (bad period, malformed CloudWatch result). */
export class MetricInputError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MetricInputError";
    this.context = context;
  }
}
