/**
 * `npm test [-- <path filter>...] [--test-name-pattern=<regex>]`: runs the harness's own tests
 * (tests/**\/*.test.ts) with Node's test runner, streams its TAP output live and ends with one line
 * `Total: N passed, N failed, N skipped`. Node 20's `--test` does not expand globs, so this finds the
 * files; arguments without a dash keep the files whose path contains one of them.
 *
 * Exit codes: the test run's (0 every test passed, 1 a test failed or was cancelled), 2 usage error or
 * no test file matches the filters.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import {
  formatHelp,
  formatTapTotals,
  HELP_ENTRY,
  helpHint,
  readTapTotals,
  wantsHelp,
} from "../lib/cli/index.ts";

const root = join(import.meta.dirname, "..");

const HELP = formatHelp({
  usage: ["npm test [-- <path filter>...] [--test-name-pattern=<regex>] [--test-concurrency=<n>]"],
  summary:
    "Runs the harness's own tests (tests/**/*.test.ts: unit, sandbox and end-to-end) with Node's test runner,\n" +
    "streams its TAP output and ends with `Total: N passed, N failed, N skipped` (todo tests count as skipped).",
  sections: [
    {
      title: "Arguments",
      entries: [
        [
          "<path filter>",
          "run only the test files whose path contains it (e.g. tests/unit, sweep); default all",
        ],
        [
          "--test-name-pattern=<regex>",
          "run only the tests whose name matches (Node's option, passed through)",
        ],
        [
          "--test-concurrency=<n>",
          "test files run at once (default 3: most e2e files wait on their sandbox and child processes, not a core)",
        ],
        [
          "--test-<option>=<value>",
          "any other option of Node's test runner except the reporter, passed through",
        ],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "every test passed"],
    [1, "a test failed or was cancelled"],
    [2, "usage error, or no test file matches the filters"],
  ],
});

function usageError(message: string): never {
  console.error(`test: ${message}\n${helpHint("npm test --")}`);
  process.exit(2);
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  console.log(HELP);
  process.exit(0);
}
const filters = argv.filter((arg) => !arg.startsWith("-"));
const passThrough = argv.filter((arg) => arg.startsWith("-"));
for (const flag of passThrough) {
  if (!flag.startsWith("--test-")) usageError(`unknown option ${flag}.`);
  // The summary is read from the TAP stream; another reporter would leave nothing to count.
  if (flag.startsWith("--test-reporter")) usageError(`${flag}: the reporter is fixed to TAP.`);
}
// The longest files start first, so that none of them begins when the others are done and runs on alone: the
// whole run then takes about its work divided by the files run at once.
const LONGEST_FIRST = [
  "tests/e2e/readme-commands.test.ts",
  "tests/e2e/pre-promotion.test.ts",
  "tests/e2e/honest-results.test.ts",
  "tests/e2e/promote-kill.test.ts",
  "tests/e2e/rollback.test.ts",
  "tests/e2e/post-deploy-runtime-faults.test.ts",
  "tests/e2e/promote.test.ts",
];
const rank = (file: string) => {
  const index = LONGEST_FIRST.indexOf(file);
  return index === -1 ? LONGEST_FIRST.length : index;
};

const files = findTests(join(root, "tests"))
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

if (files.length === 0) {
  console.error(`No test files match ${filters.join(", ") || "tests/**/*.test.ts"}. Check the path filter.`);
  process.exit(2);
}

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=3", ...passThrough, "--test-reporter=tap", ...files],
  {
    cwd: root,
    stdio: ["inherit", "pipe", "inherit"],
    // Run under another test runner, NODE_TEST_CONTEXT would switch this one's output away from TAP.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...process.env,
      NODE_TEST_CONTEXT: undefined,
    },
  },
);

// The totals come last; the end of the stream is enough to find them.
const TAIL_CHARS = 64 * 1024;
let tail = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk: string) => {
  process.stdout.write(chunk);
  tail = (tail + chunk).slice(-TAIL_CHARS);
});
child.on("close", (code, signal) => {
  const totals = readTapTotals(tail);
  const lines = totals
    ? formatTapTotals(totals)
    : [
        `The test runner ended (${signal ? `signal ${signal}` : `exit ${code}`}) without printing its totals; see the output above.`,
      ];
  process.stdout.write(`\n${lines.join("\n")}\n`);
  process.exitCode = code ?? 1;
});
