/**
 * Every command block of the README, run as a new user would run it: each `sh` block's lines in order, in the
 * repository, against the embedded sandbox where the README says `--sandbox`. A command fails the test when it
 * prints a stack trace or exits with another code than the README gives it: `(exit N)` in its comment, else 0.
 * `text` blocks are usage, not commands. The few lines that cannot run inside `npm test` are listed below with
 * the reason.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { describeChain, type PromotionRecord, verifyPromotionChain } from "../../lib/promote/index.ts";
import { inspectStateDir } from "../../sandbox/index.ts";
import { childEnv, repoRoot, runCommand } from "./spawn.ts";

/** Lines the README shows that this test does not run, each with why. */
const NOT_RUN: Record<string, string> = {
  "npm ci && npm start":
    "npm ci reinstalls node_modules under the running tests; `npm start` is run on its own",
  "npm test": "this is npm test",
};

/** Lines run in place of a README line that would install first (npm ci) and then do the same. */
const INSTEAD: Record<string, string> = { "npm ci && npm start": "npm start" };

export type ReadmeCommand = { line: string; command: string; expectedExit: number; block: number };

/** The command lines of the README's `sh` blocks, with the exit code each is documented to give. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const blocks = [...markdown.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)];
  blocks.forEach((match, block) => {
    for (const raw of (match[2] ?? "").split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      // A comment starts after two spaces and a '#': `npm run x   # what it does (exit 3)`.
      const [command = "", comment = ""] = line.split(/\s{2,}#\s?/, 2);
      const exit = /\(exit (\d+)\)/.exec(comment)?.[1];
      out.push({ line, command: command.trim(), expectedExit: exit === undefined ? 0 : Number(exit), block });
    }
  });
  return out;
}

const STACK_TRACE = /^\s+at (?:.+ \()?(?:file:\/\/)?\/.+:\d+:\d+\)?$/m;

// The README's commands write their runs in a folder of this test's own (HARNESS_RUNS_DIR): other test files run
// at the same time and write theirs under reports/runs/, which this test must neither read nor remove.
const runsDir = mkdtempSync(join(tmpdir(), "readme-runs-"));

/** The caller's environment without anything that would point a command elsewhere than the sandbox. */
function cleanEnv(): Record<string, string | undefined> {
  return childEnv({ NO_COLOR: "1", HARNESS_RUNS_DIR: runsDir });
}
// The probe appends to its logs: keep what a user had, and drop what the README's commands added.
const probesDir = join(repoRoot, "reports", "probes");
const probesBefore = new Map(
  (existsSync(probesDir) ? readdirSync(probesDir) : []).map((name) => [
    name,
    readFileSync(join(probesDir, name)),
  ]),
);
/** The promotion records `npm start` wrote, from its "promotion record: <file>" lines. */
const drillRecords: string[] = [];
function drillRecordFiles(stdout: string): string[] {
  return [...stdout.matchAll(/promotion record: (reports\/promotions\/\S+\.json)/g)].map((m) =>
    join(repoRoot, m[1] ?? ""),
  );
}
let foreground: ReturnType<typeof spawn> | null = null;
after(() => {
  foreground?.kill("SIGTERM");
  // Run folders of the README's commands are not the user's: remove what this test made.
  rmSync(runsDir, { recursive: true, force: true });
  for (const file of drillRecords) {
    rmSync(file, { force: true });
    rmSync(file.replace(/\.json$/, ".canary.json"), { force: true });
  }
  for (const name of existsSync(probesDir) ? readdirSync(probesDir) : []) {
    const kept = probesBefore.get(name);
    if (kept) writeFileSync(join(probesDir, name), kept);
    else rmSync(join(probesDir, name), { force: true });
  }
});

/** Starts `npm run sandbox` in the foreground, as the README's first terminal does, and waits for "ready". */
function startForeground(env: Record<string, string | undefined>): Promise<{ output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "sandbox"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    foreground = child;
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`npm run sandbox did not get ready:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready in \d+ ms/.test(output)) {
        clearTimeout(timer);
        resolve({ output: () => output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (!/ready in \d+ ms/.test(output)) reject(new Error(`npm run sandbox exited ${code}:\n${output}`));
    });
  });
}

test("the README's command parser reads lines, comments and documented exit codes", () => {
  const commands = readmeCommands(
    "```text\nnpm run x -- <env>\n```\n\n```sh\nnpm run a   # fine\nnpm run b --sandbox   # fails (exit 1)\n```\n",
  );
  assert.deepEqual(
    commands.map((c) => [c.command, c.expectedExit]),
    [
      ["npm run a", 0],
      ["npm run b --sandbox", 1],
    ],
  );
  assert.match("    at main (/work/scripts/x.ts:10:5)", STACK_TRACE);
  assert.doesNotMatch("  tenant-deploy/5.1/health: passed at 12:00:01", STACK_TRACE);
});

test("every command block of the README runs as written", { timeout: 900_000 }, async (t) => {
  const state = await inspectStateDir(join(repoRoot, ".sandbox"));
  if (state.kind === "running" || state.kind === "unconfirmed") {
    t.skip(
      `a sandbox is running from .sandbox/ (the README's commands would change it); stop it with npm run sandbox -- stop`,
    );
    return;
  }
  rmSync(join(runsDir, "readme-shards"), { recursive: true, force: true });
  const env = cleanEnv();
  const commands = readmeCommands(readFileSync(join(repoRoot, "README.md"), "utf8"));
  assert.ok(commands.length >= 15, `the README's sh blocks hold ${commands.length} commands`);
  const failures: string[] = [];
  let exports = "";
  // `npm start` plays the whole drill on its own sandbox: it runs beside the other commands, in a state folder of
  // its own (the README's other commands use .sandbox/), and is judged when they are done.
  const drillDir = mkdtempSync(join(tmpdir(), "readme-drill-"));
  const drillEntry = commands.find((entry) => (INSTEAD[entry.command] ?? entry.command) === "npm start");
  const drillStarted = Date.now();
  const drill = drillEntry
    ? runCommand("bash", ["-c", "npm start"], { ...env, HARNESS_SANDBOX_DIR: drillDir })
    : null;
  for (const entry of commands) {
    const command = INSTEAD[entry.command] ?? entry.command;
    if (command === "npm start") continue;
    if (NOT_RUN[entry.command] && !INSTEAD[entry.command]) {
      t.diagnostic(`not run: ${entry.command} (${NOT_RUN[entry.command]})`);
      continue;
    }
    if (command.startsWith("export ")) {
      exports += `${command}\n`;
      continue;
    }
    if (command === "npm run sandbox") {
      await startForeground(env);
      continue;
    }
    const started = Date.now();
    const result = await runCommand("bash", ["-c", `set -o pipefail\n${exports}${command}`], env);
    const output = `${result.stdout}\n${result.stderr}`;
    t.diagnostic(`${command} -> exit ${result.code} in ${Date.now() - started} ms`);
    if (result.code !== entry.expectedExit) {
      failures.push(
        `${command}: exit ${result.code}, the README says ${entry.expectedExit}\n${output.split("\n").slice(-25).join("\n")}`,
      );
    } else if (STACK_TRACE.test(output)) {
      failures.push(`${command}: printed a stack trace\n${output.split("\n").slice(-25).join("\n")}`);
    }
  }
  if (drill && drillEntry) {
    const result = await drill;
    const output = `${result.stdout}\n${result.stderr}`;
    t.diagnostic(
      `npm start -> exit ${result.code} in ${Date.now() - drillStarted} ms (beside the other commands)`,
    );
    drillRecords.push(...drillRecordFiles(result.stdout));
    if (result.code !== drillEntry.expectedExit) {
      failures.push(
        `npm start: exit ${result.code}, the README says ${drillEntry.expectedExit}\n${output.split("\n").slice(-40).join("\n")}`,
      );
    } else if (STACK_TRACE.test(output)) {
      failures.push(`npm start: printed a stack trace\n${output.split("\n").slice(-25).join("\n")}`);
    }
  }
  assert.deepEqual(failures, [], failures.join("\n\n"));
  // The drill's promotion records prove PROD serves the bits SIT and DEV verified, each step on signed verdicts:
  // checked here from the records and verdict files alone, against the drill's verdict key.
  assert.equal(drillRecords.length, 2, "npm start wrote a promotion record into SIT and one into PROD");
  const records = drillRecords.map((file) => JSON.parse(readFileSync(file, "utf8")) as PromotionRecord);
  const chain = verifyPromotionChain({
    records,
    trustedKeys: join(drillDir, "verdict-keys", "verdict-signing.pub"),
  });
  assert.ok(chain.ok, describeChain(chain).join("\n"));
  const devSmoke = chain.links[0]?.gate.find((line) => line.startsWith("dev smoke "))?.split(" ")[2] ?? "";
  const dev = JSON.parse(readFileSync(devSmoke, "utf8")) as { codeSha256: string };
  assert.deepEqual(
    records.map((r) => [r.from, r.to, r.codeSha256]),
    [
      ["dev", "sit", dev.codeSha256],
      ["sit", "prod", dev.codeSha256],
    ],
    "PROD's CodeSha256 equals SIT's equals the one DEV's smoke verdict verified",
  );
  rmSync(drillDir, { recursive: true, force: true });
  // The README's last sandbox command stops the foreground sandbox it started.
  const fg = foreground as ReturnType<typeof spawn> | null;
  if (fg) {
    const code = fg.exitCode ?? (await new Promise<number | null>((done) => fg.on("exit", done)));
    assert.equal(code, 0, "npm run sandbox exits 0 when stopped");
    foreground = null;
  }
});
