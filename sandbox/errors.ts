/**
 * Errors of the sandbox's orchestration (start-up, seeding, deploy, CLI). Each carries the exit code the
 * CLI uses for it: 1 failed, 2 usage, 3 sandbox not running or unreachable.
 */

export type SandboxExitCode = 1 | 2 | 3;

/** Start-up failed (a port in use, a backend that did not come up, seeding that failed). */
export class SandboxStartError extends Error {
  readonly exitCode: SandboxExitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxStartError";
  }
}

/** A deploy or seed request names something that does not exist (environment, service, fault kind, route, ...). */
export class SandboxUsageError extends Error {
  readonly exitCode: SandboxExitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxUsageError";
  }
}

/** A deploy step failed against the sandbox's AWS APIs. */
export class SandboxDeployError extends Error {
  readonly exitCode: SandboxExitCode = 1;
  readonly step: string;
  constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxDeployError";
    this.step = step;
  }
}

/** A seed action failed against the sandbox's services after validation (the ones before it stay applied). */
export class SandboxSeedError extends Error {
  readonly exitCode: SandboxExitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxSeedError";
  }
}

/** No sandbox is running where the endpoints file says, or it does not answer. */
export class SandboxNotRunningError extends Error {
  readonly exitCode: SandboxExitCode = 3;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxNotRunningError";
  }
}

/** The endpoints file exists but does not hold what docs/sandbox-interface.md describes. */
export class EndpointsFileError extends Error {
  readonly exitCode: SandboxExitCode = 3;
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EndpointsFileError";
    this.path = path;
  }
}

/** The message of an unknown thrown value, for wrapping into one of the errors above. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
