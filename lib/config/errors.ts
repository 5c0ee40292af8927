/** One problem found in the harness configuration: where (a config path or a variable name) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * The harness configuration (runbook defaults + override file + HARNESS_* variables) is unusable.
 * Carries every problem at once; scripts print `message` and exit with `exitCode` (2: usage or configuration).
 */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly exitCode = 2;

  /**
   * @param header what was being configured, without the count, e.g. `Invalid harness configuration in ./x.json`
   * @param hint the last line: what to do next
   */
  constructor(header: string, issues: ConfigIssue[], hint: string, options?: { cause?: unknown }) {
    const count = `${issues.length} ${issues.length === 1 ? "problem" : "problems"}`;
    super(
      [`${header} (${count}):`, ...issues.map((issue) => `  ${issue.path}: ${issue.message}`), hint].join(
        "\n",
      ),
      options,
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}
