/** A verdict file is missing, unreadable or does not match VerdictSchema. */
export class VerdictInvalidError extends Error {
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(
      `The verdict ${file} cannot be used: ${detail}. Re-run the gate (npm run verify) to produce a fresh verdict; never edit one by hand.`,
      options,
    );
    this.name = "VerdictInvalidError";
    this.file = file;
  }
}

/** The report files of a run no longer hash to the verdict's reportSha256. */
export class ReportHashMismatchError extends Error {
  constructor(runDir: string, expected: string, actual: string) {
    super(
      `The report files in ${runDir} hash to ${actual}, but the verdict records ${expected}: something changed the reports after the run. ` +
        "Treat this evidence bundle as untrustworthy and re-run the gate.",
    );
    this.name = "ReportHashMismatchError";
  }
}
