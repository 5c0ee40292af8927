/**
 * Every command of package.json answers `--help` (and `-h`) with exit 0, its usage and its exit codes,
 * and refuses an unknown flag with exit 2, a message naming the flag and a pointer at --help, never a
 * stack trace. Runs the commands as `npm run <script>` runs them: `node --import tsx <file>`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { z } from "zod";
import { type CommandResult, childEnv, repoRoot, runTsx } from "./spawn.ts";

/** Each command: the file an npm script runs and the arguments that select a subcommand. */
const commands: ReadonlyArray<{ name: string; file: string; args: string[] }> = [
  { name: "start", file: "scripts/start.ts", args: [] },
  { name: "test", file: "scripts/test.ts", args: [] },
  { name: "verify", file: "scripts/verify.ts", args: [] },
  { name: "merge", file: "scripts/merge.ts", args: [] },
  { name: "runbook", file: "scripts/runbook.ts", args: [] },
  { name: "runbook list", file: "scripts/runbook.ts", args: ["list"] },
  { name: "runbook render", file: "scripts/runbook.ts", args: ["render", "tenant-deploy"] },
  { name: "bench", file: "scripts/bench.ts", args: [] },
  { name: "contract", file: "scripts/contract.ts", args: [] },
  { name: "contract lint", file: "scripts/contract.ts", args: ["lint"] },
  { name: "sweep", file: "scripts/sweep.ts", args: [] },
  { name: "probe", file: "scripts/probe.ts", args: [] },
  { name: "attest", file: "scripts/attest.ts", args: [] },
  { name: "plan", file: "scripts/plan.ts", args: [] },
  { name: "promote", file: "scripts/promote.ts", args: [] },
  { name: "rollback", file: "scripts/rollback.ts", args: [] },
  { name: "sandbox", file: "sandbox/cli.ts", args: [] },
  { name: "sandbox deploy", file: "sandbox/cli.ts", args: ["deploy"] },
  { name: "sandbox status", file: "sandbox/cli.ts", args: ["status"] },
  { name: "sandbox stop", file: "sandbox/cli.ts", args: ["stop"] },
];

const stateDir = mkdtempSync(join(tmpdir(), "cli-help-"));
after(() => rmSync(stateDir, { recursive: true, force: true }));

// Nothing of the caller's setup may change what a command prints, and no command here may find a sandbox.
const env = childEnv({ HARNESS_SANDBOX_DIR: stateDir });

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function run(file: string, args: string[]): Promise<CommandResult> {
  return runTsx(file, args, env);
}

test("the list covers every npm script that runs a command", () => {
  const scripts = z
    .object({ scripts: z.record(z.string(), z.string()) })
    .parse(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"))).scripts;
  const files = Object.values(scripts).flatMap(
    (line) => /^node (?:--import tsx|scripts\/launch\.mjs) (\S+\.ts)$/.exec(line)?.[1] ?? [],
  );
  assert.ok(files.length >= 9, "package.json runs the commands with node --import tsx or scripts/launch.mjs");
  for (const file of files)
    assert.ok(
      commands.some((command) => command.file === file),
      file,
    );
});

describe("--help", { concurrency: 2 }, () => {
  for (const command of commands) {
    const flag = command.name === "sandbox status" || command.name === "contract" ? "-h" : "--help";
    test(`${command.name} ${flag} exits 0 with usage and exit codes`, async () => {
      const result = await run(command.file, [...command.args, flag]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^Usage: /m);
      assert.match(result.stdout, /^Exit codes/m);
      assert.doesNotMatch(result.stdout + result.stderr, STACK_FRAME);
    });
  }
});

describe("an unknown flag", { concurrency: 2 }, () => {
  for (const command of commands) {
    test(`${command.name} --bogus-flag exits 2 naming it and pointing at --help`, async () => {
      const result = await run(command.file, [...command.args, "--bogus-flag"]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /--bogus-flag/);
      assert.match(result.stderr, /--help/);
      assert.doesNotMatch(result.stdout + result.stderr, STACK_FRAME);
    });
  }
});
