/** The monitor was configured in a way it cannot run (no rules, non-positive window or interval). */
export class MonitorConfigError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MonitorConfigError";
    this.context = context;
  }
}

/** The monitor's driver was stopped (abort signal) before the window reached a decision. */
export class MonitorAbortedError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MonitorAbortedError";
    this.context = context;
  }
}
