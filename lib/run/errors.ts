/** The command line is wrong: unknown option, missing or invalid value. Exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  readonly problems: string[];
  constructor(problems: string[], usage: string) {
    super(
      [
        `The command line has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:`,
        ...problems.map((p) => `  ${p}`),
        usage,
      ].join("\n"),
    );
    this.name = "UsageError";
    this.problems = problems;
  }
}

/** Secrets were found in the run folder after the run: the evidence bundle must not be shared. */
export class SecretLeakError extends Error {
  constructor(runDir: string, files: string[]) {
    super(
      `Secret check: ${files.length} file(s) in ${runDir} contain a secret or a JWT: ${files.join(", ")}. ` +
        "Do not share this run folder; delete it, and report the leak (a fixture or reporter wrote a secret unredacted).",
    );
    this.name = "SecretLeakError";
  }
}
