/** Command-line plumbing shared by the scripts: asking for help, readable parseArgs errors, the entry point. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";

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

/**
 * Runs a command's `main` when its file is the process's entry point (not when a test imports it) and exits
 * with the code it returns; an unexpected error exits 2 with its stack, named after the command.
 */
export function runWhenMain(name: string, file: string, main: (argv: string[]) => Promise<number>): void {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== file) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}

/** The options of a command, as node:util parseArgs takes them. */
export type FlagOptions = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** A parsed command line: the raw values, and typed reads of one flag. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  /** A string flag's value, or undefined when it was not given. */
  text(name: string): string | undefined;
  /** Whether a boolean flag was given. */
  flag(name: string): boolean;
}

/**
 * Parses a command line strictly (no positionals, unknown flags refused) with node:util parseArgs; a parse error
 * is thrown as `toError([problem])` (the command's UsageError with its help hint), its message readable.
 */
export function parseFlags(
  argv: readonly string[],
  options: FlagOptions,
  toError: (problems: string[]) => Error,
): ParsedFlags {
  let values: ParsedFlags["values"];
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }));
  } catch (error) {
    throw toError([parseArgsProblem(error)]);
  }
  return {
    values,
    text: (name) => {
      const value = values[name];
      return typeof value === "string" ? value : undefined;
    },
    flag: (name) => values[name] === true,
  };
}
