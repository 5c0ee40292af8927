/** Lists the suites' tests with Playwright (no test runs) and returns which runbook items they verify. */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestListingError } from "./errors.ts";
import { type ListReport, ListReportSchema, testedItemsFromReport } from "./list-report.ts";

export interface CollectOptions {
  /** Playwright config file (default: playwright.config.ts in cwd). */
  config?: string;
  /** Only these projects (`--project`). */
  projects?: string[];
  /** Only tests whose title matches (`--grep`). */
  grep?: string;
  /** Working directory (default: process.cwd()). */
  cwd?: string;
  /** Base environment for Playwright (default: process.env); HARNESS_LIST_ONLY=1 is always added. */
  env?: NodeJS.ProcessEnv;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
}

const playwrightCli = createRequire(import.meta.url).resolve("@playwright/test/cli");

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Runs `playwright test --list --reporter=json` and maps item id -> titles of the tests declaring it. */
export async function collectTestedItems(options: CollectOptions = {}): Promise<Map<string, string[]>> {
  return testedItemsFromReport(await listTests(options));
}

/** Runs `playwright test --list --reporter=json` (no test runs) and returns its report. */
export async function listTests(options: CollectOptions = {}): Promise<ListReport> {
  const args = ["test", "--list", "--reporter=json", "--pass-with-no-tests"];
  if (options.config !== undefined) args.push("--config", options.config);
  for (const project of options.projects ?? []) args.push("--project", project);
  if (options.grep !== undefined) args.push("--grep", options.grep);
  const command = `playwright ${args.join(" ")}`;

  const outDir = await mkdtemp(join(tmpdir(), "harness-list-"));
  const reportFile = join(outDir, "list.json");
  try {
    // The report goes to a file, not stdout, so that a config that logs cannot corrupt the JSON.
    const env = {
      ...(options.env ?? process.env),
      HARNESS_LIST_ONLY: "1",
      PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile,
      FORCE_COLOR: "0",
    };
    const { code, stderr } = await run(process.execPath, [playwrightCli, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env,
      timeoutMs: options.timeoutMs ?? 60_000,
      command,
    });
    let text: string;
    try {
      text = await readFile(reportFile, "utf8");
    } catch (error) {
      throw new TestListingError(
        `${command} exited with ${code} and wrote no report, so the tested runbook items are unknown.\n${stripAnsi(stderr).trim()}\nCheck that the Playwright config loads (npx playwright test --list).`,
        command,
        { cause: error },
      );
    }
    const parsed = ListReportSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new TestListingError(
        `${command} wrote a report this harness cannot read (${parsed.error.issues[0]?.message ?? "unknown shape"}); is @playwright/test the version in package.json?`,
        command,
        { cause: parsed.error },
      );
    }
    const errors = parsed.data.errors.map((error) => stripAnsi(error.message ?? "unknown error"));
    if (errors.length > 0 || code !== 0) {
      throw new TestListingError(
        `${command} could not list every test (exit ${code}):\n${[...errors, stripAnsi(stderr).trim()].filter(Boolean).join("\n")}\nFix the config or spec named above; a test that does not load verifies nothing.`,
        command,
      );
    }
    return parsed.data;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function run(
  file: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; command: string },
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new TestListingError(
          `${opts.command} did not finish within ${opts.timeoutMs} ms; is the config waiting on something?`,
          opts.command,
        ),
      );
    }, opts.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(
        new TestListingError(`${opts.command} could not start: ${error.message}`, opts.command, {
          cause: error,
        }),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), stderr });
    });
  });
}
