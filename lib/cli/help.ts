/**
 * The `--help` text every command prints, in one layout: usage lines, what the command does, its options
 * with their defaults, and its exit codes. A usage error names the problem and points at `--help`.
 */

/** One option (or subcommand) line: the flag as typed, and what it does including its default. */
export type HelpEntry = readonly [syntax: string, description: string];

export type HelpSpec = {
  /** Usage lines, e.g. `npm run sweep -- --env <dev|sit|prod> [options]`. */
  usage: readonly string[];
  /** One or two sentences on what the command does. */
  summary?: string;
  /** Titled blocks of entries, e.g. `Commands` and `Options`, printed in order. */
  sections: ReadonlyArray<{ title: string; entries: readonly HelpEntry[] }>;
  /** The documented exit codes, in order. */
  exitCodes: ReadonlyArray<readonly [code: number, meaning: string]>;
};

/** The entry every command has: `-h, --help`. */
export const HELP_ENTRY: HelpEntry = ["-h, --help", "print this help and exit 0"];

function block(entries: readonly HelpEntry[]): string[] {
  const width = Math.max(...entries.map(([syntax]) => syntax.length));
  return entries.map(([syntax, description]) => `  ${syntax.padEnd(width)}  ${description}`.trimEnd());
}

/** Renders a command's help text (no trailing newline). */
export function formatHelp(spec: HelpSpec): string {
  const [first, ...more] = spec.usage;
  const lines = [`Usage: ${first ?? ""}`, ...more.map((line) => `       ${line}`)];
  if (spec.summary !== undefined) lines.push("", spec.summary);
  for (const section of spec.sections) {
    if (section.entries.length > 0) lines.push("", `${section.title}:`, ...block(section.entries));
  }
  lines.push("", "Exit codes:", ...block(spec.exitCodes.map(([code, meaning]) => [String(code), meaning])));
  return lines.join("\n");
}

/** The last line of a usage error: where the options and exit codes are. */
export function helpHint(command: string): string {
  return `Run \`${command} --help\` for the options and exit codes.`;
}
