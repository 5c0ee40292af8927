/**
 * `npm run runbook -- <command>`: look at the runbooks as code and the resolved harness configuration.
 * Exit codes: 0 done; 2 usage or configuration error (principle 8). `--help` lists commands and options.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { formatHelp, HELP_ENTRY, helpHint, parseArgsProblem, wantsHelp } from "../lib/cli/index.ts";
import {
  ConfigError,
  loadHarnessConfig,
  overrideTableMarkdown,
  overrideVariables,
} from "../lib/config/index.ts";
import { repoRoot, suiteLayout } from "../lib/run/index.ts";
import {
  collectTestedItems,
  listTests,
  mapItemsToChecks,
  renderRunbookMarkdown,
  suiteMapMarkdown,
  suiteTableMarkdown,
  TestListingError,
} from "../lib/traceability/index.ts";
import { allRunbookItems, environmentIds, environments, getRunbook, runbooks } from "../runbooks/index.ts";

const commands = {
  list: ["list [--runbook <id>]", "every runbook item: id, kind, environments, title"],
  render: ["render <runbook-id> [--no-tests]", "the runbook as Markdown, with the tests verifying each item"],
  "config-vars": ["config-vars [--markdown]", "every HARNESS_<ENV>_<PATH> override, its path and type"],
  suites: ["suites", "the suites, the runbook sections each verifies and what it checks (Markdown)"],
  map: ["map", "every automated item -> the test that verifies it -> the judge behind it (Markdown)"],
  "show-config": [
    "show-config [--env <env>] [--config <file>]",
    "the resolved configuration and its sources",
  ],
} as const;
type Command = keyof typeof commands;

class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(`${message}\n${usage()}\n${helpHint("npm run runbook --")}`);
    this.name = "UsageError";
  }
}

function usage(): string {
  const width = Math.max(...Object.values(commands).map(([syntax]) => syntax.length));
  return [
    "Usage: npm run runbook -- <command>",
    ...Object.values(commands).map(([syntax, what]) => `  ${syntax.padEnd(width)}  ${what}`),
  ].join("\n");
}

const HELP = formatHelp({
  usage: ["npm run runbook -- <command> [options]"],
  summary: "The runbooks as code and the resolved harness configuration.",
  sections: [
    { title: "Commands", entries: Object.values(commands) },
    {
      title: "Options",
      entries: [
        [
          "--runbook <id>",
          `list: only this runbook (${runbooks.map((runbook) => runbook.id).join(", ")}); default all`,
        ],
        ["--no-tests", "render: leave out the tests that verify each item (faster: no Playwright listing)"],
        ["--markdown", "config-vars: print a Markdown table"],
        ["--env <env>", `show-config: only this environment (${environmentIds.join(", ")}); default all`],
        ["--config <file>", "show-config: an override file, as verify takes it (default $HARNESS_CONFIG)"],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "done"],
    [2, "usage or configuration error"],
  ],
});

function isCommand(value: string | undefined): value is Command {
  return value !== undefined && Object.hasOwn(commands, value);
}

function runbookIds(): string {
  return runbooks.map((runbook) => runbook.id).join(", ");
}

function list(runbookId: string | undefined): string {
  const selected = runbookId === undefined ? runbooks : [getRunbook(runbookId)];
  const lines: string[] = [];
  for (const runbook of selected) {
    if (runbook === undefined)
      throw new UsageError(`Unknown runbook ${runbookId}; expected one of ${runbookIds()}.`);
    const items = allRunbookItems([runbook]);
    const width = Math.max(...items.map((item) => item.id.length));
    lines.push(`${runbook.id}: ${runbook.title} (service ${runbook.service}, ${items.length} items)`);
    for (const item of items) {
      lines.push(
        `  ${item.id.padEnd(width)}  ${item.kind.padEnd(9)}  ${item.environments.join(",").padEnd(12)}  ${item.title}`,
      );
    }
  }
  return lines.join("\n");
}

async function render(runbookId: string | undefined, listTests: boolean): Promise<string> {
  if (runbookId === undefined) throw new UsageError(`render needs a runbook id: one of ${runbookIds()}.`);
  const runbook = getRunbook(runbookId);
  if (runbook === undefined)
    throw new UsageError(`Unknown runbook ${runbookId}; expected one of ${runbookIds()}.`);
  const tested = listTests ? await collectTestedItems() : undefined;
  return renderRunbookMarkdown(runbook, { tested, environments });
}

function configVars(markdown: boolean): string {
  if (markdown) return overrideTableMarkdown();
  const rows = overrideVariables();
  const width = Math.max(...rows.map((row) => row.variable.length));
  const pathWidth = Math.max(...rows.map((row) => row.path.length));
  const typeWidth = Math.max(...rows.map((row) => row.type.length));
  return [
    "Each variable overrides one value of one environment (see lib/config/README.md).",
    ...rows.map(
      (row) =>
        `${row.variable.padEnd(width)}  ${row.path.padEnd(pathWidth)}  ${row.type.padEnd(typeWidth)}  ${row.description}`,
    ),
  ].join("\n");
}

function showConfig(
  envId: string | undefined,
  configFile: string | undefined,
  env: NodeJS.ProcessEnv,
): string {
  if (envId !== undefined && !(environmentIds as readonly string[]).includes(envId)) {
    throw new UsageError(`Unknown environment ${envId}; expected one of ${environmentIds.join(", ")}.`);
  }
  const config = loadHarnessConfig(configFile === undefined ? { env } : { configFile, env });
  const shown = environmentIds.filter((id) => envId === undefined || id === envId);
  // No secret can appear here: the config holds only the names of the variables that carry them.
  return JSON.stringify(
    {
      environments: Object.fromEntries(shown.map((id) => [id, config.environments[id]])),
      services: config.services,
      sources: config.sources,
    },
    null,
    2,
  );
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (wantsHelp(argv)) return HELP;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${parseArgsProblem(error)}.`);
  }
  const [command, ...rest] = parsed.positionals;
  if (!isCommand(command)) {
    throw new UsageError(command === undefined ? "No command given." : `Unknown command ${command}.`);
  }
  const { values } = parsed;
  if (rest.length > (command === "render" ? 1 : 0))
    throw new UsageError(`Unexpected argument ${rest.join(" ")}.`);
  switch (command) {
    case "list":
      return list(values.runbook);
    case "render":
      return render(rest[0], !values["no-tests"]);
    case "config-vars":
      return configVars(values.markdown === true);
    case "show-config":
      return showConfig(values.env, values.config, env);
    case "map":
      return suiteMap(env);
    case "suites":
      return suiteTableMarkdown(
        runbooks,
        suiteLayout().map((layout) => layout.suite),
      );
  }
}

/** The item -> spec -> judge map of suites/README.md, from the test listing and the specs' source. */
async function suiteMap(env: NodeJS.ProcessEnv): Promise<string> {
  const report = await listTests({ cwd: repoRoot, env });
  return suiteMapMarkdown(
    runbooks,
    mapItemsToChecks(report, (file) => readFileSync(join(repoRoot, file), "utf8")),
  );
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      env: { type: "string" },
      config: { type: "string" },
      runbook: { type: "string" },
      markdown: { type: "boolean" },
      "no-tests": { type: "boolean" },
    },
  });
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one command; usage, configuration and listing errors become exit code 2 with their message. */
export async function runRunbookCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliResult> {
  try {
    return { exitCode: 0, stdout: `${await main(argv, env)}\n`, stderr: "" };
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof TestListingError) {
      return { exitCode: error.exitCode, stdout: "", stderr: `${error.message}\n` };
    }
    throw error;
  }
}

// Importable by tests without running: only the entry point acts on process.argv.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runRunbookCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
