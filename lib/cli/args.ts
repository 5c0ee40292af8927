/** Command-line plumbing shared by the scripts: asking for help, and readable parseArgs errors. */

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  return options.includes("--help") || options.includes("-h");
}

/**
 * The message of a node:util parseArgs error, without Node's advice on positionals after `--` (the
 * harness's commands take no positional that starts with a dash, so the advice only misleads).
 */
export function parseArgsProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
}
