/**
 * Runs the harness's own tests (tests/**\/*.test.ts) with Node's test runner.
 * Node 20's `--test` does not expand globs, so this finds the files; extra arguments filter by path substring.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const filters = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const passThrough = process.argv.slice(2).filter((arg) => arg.startsWith("--"));
const files = findTests(join(root, "tests"))
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`No test files match ${filters.join(", ") || "tests/**/*.test.ts"}. Check the path filter.`);
  process.exit(2);
}

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...passThrough, ...files],
  {
    cwd: root,
    stdio: "inherit",
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...process.env },
  },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
