/** Playwright could not list the suites' tests (config error, a spec that does not compile, a timeout). */
export class TestListingError extends Error {
  /** 2: the harness's own configuration (playwright.config.ts or a spec) is broken. */
  readonly exitCode = 2;
  readonly command: string;

  constructor(message: string, command: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TestListingError";
    this.command = command;
  }
}
