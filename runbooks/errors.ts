/** The runbook data in runbooks/ does not match its schema: a bug in this repository, not in user config. */
export class RunbookDataError extends Error {
  readonly issues: { path: string; message: string }[];

  constructor(what: string, issues: { path: string; message: string }[], options?: { cause?: unknown }) {
    super(
      [
        `The runbook data for ${what} does not match runbooks/schema.ts (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):`,
        ...issues.map((issue) => `  ${issue.path}: ${issue.message}`),
        "Fix the data in runbooks/ (it is code, not configuration); `npm test -- tests/unit/runbook` shows the same problems.",
      ].join("\n"),
      options,
    );
    this.name = "RunbookDataError";
    this.issues = issues;
  }
}
