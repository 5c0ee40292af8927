/**
 * A sandbox can be found again and stopped: `status` sees a foreground sandbox through its state
 * directory, `stop` ends it (the process exits, its endpoints file goes), and state a dead sandbox left
 * behind is reported as stale and removed, by `status` and by the next start. Everything runs in this
 * test's own temporary state directories; every sandbox started here is stopped in teardown.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { renderAwsConfig, renderAwsCredentials } from "../../sandbox/endpoints.ts";
import { EndpointsSchema } from "../../sandbox/index.ts";
import { sandboxCli as cli } from "./cli-capture.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");

const children: ChildProcess[] = [];
const dirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Starts `npm run sandbox -- --state-dir <dir>` as a child and resolves once it printed "ready". */
async function startForeground(stateDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/cli.ts", "--state-dir", stateDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  await new Promise<void>((ready, failed) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (/^ready in \d+ ms$/m.test(stdout)) ready();
    });
    child.once("exit", (code) => failed(new Error(`the sandbox exited early with ${code}: ${stderr}`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once("exit", (code) => done(code)));
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("stop", () => {
  let stateDir = "";
  let child: ChildProcess;
  let endpointsText = "";

  before(async () => {
    stateDir = await tempDir("bbws-sandbox-stop-");
    child = await startForeground(stateDir);
    endpointsText = await readFile(join(stateDir, "endpoints.json"), "utf8");
  });

  test("status finds the running sandbox and says how to stop it", async () => {
    const run = await cli(["status", "--state-dir", stateDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /status: ready/);
    assert.ok(run.stdout.includes(`npm run sandbox -- stop --state-dir ${stateDir}`), run.stdout);
  });

  test("stop ends it: exit 0, the process exits 0, the endpoints and AWS files are gone", async () => {
    const run = await cli(["stop", "--state-dir", stateDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Stopped the sandbox \\(pid ${child.pid}\\) running from `));
    assert.equal(await exited(child), 0);
    for (const file of ["endpoints.json", "aws-config", "aws-credentials"])
      assert.equal(existsSync(join(stateDir, file)), false, file);
  });

  test("stop and status with nothing running exit 3 and say so", async () => {
    for (const command of ["stop", "status"]) {
      const run = await cli([command, "--state-dir", stateDir]);
      assert.equal(run.code, 3, command);
      assert.match(
        run.stderr,
        /^No sandbox is running from .* \(no .*endpoints\.json\)\. Start one with `npm run sandbox`/,
      );
    }
  });

  test("status reports the endpoints file of a dead pid as stale and removes it with its AWS files", async () => {
    const endpoints = EndpointsSchema.parse(JSON.parse(endpointsText));
    await writeFile(join(stateDir, "endpoints.json"), endpointsText);
    await writeFile(endpoints.awsConfigFile, renderAwsConfig(endpoints));
    await writeFile(endpoints.awsSharedCredentialsFile, renderAwsCredentials(endpoints));
    const run = await cli(["status", "--state-dir", stateDir]);
    assert.equal(run.code, 3);
    assert.match(
      run.stderr,
      new RegExp(
        `^No sandbox is running from .*: the endpoints file names pid ${endpoints.pid}, which has exited`,
      ),
    );
    assert.match(
      run.stderr,
      /Removed the stale state \(.*endpoints\.json, .*aws-config, .*aws-credentials\)/,
    );
    for (const file of ["endpoints.json", "aws-config", "aws-credentials"])
      assert.equal(existsSync(join(stateDir, file)), false, file);
  });

  test("a live pid whose control API is gone is stale too; stop does not signal it", async () => {
    const endpoints = EndpointsSchema.parse(JSON.parse(endpointsText));
    const port = await closedPort();
    // This test process is alive, so only the silent control API says the sandbox is gone.
    const file = { ...endpoints, pid: process.pid, controlUrl: `http://127.0.0.1:${port}/_sandbox` };
    await writeFile(join(stateDir, "endpoints.json"), JSON.stringify(file));
    const run = await cli(["stop", "--state-dir", stateDir]);
    assert.equal(run.code, 3);
    assert.match(
      run.stderr,
      new RegExp(
        `pid ${process.pid} is alive but nothing listens at http://127\\.0\\.0\\.1:${port}/_sandbox`,
      ),
    );
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false);
  });

  test("an unreadable endpoints file naming no pid is stale", async () => {
    await writeFile(join(stateDir, "endpoints.json"), "{ half a file");
    const run = await cli(["status", "--state-dir", stateDir]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /endpoints\.json is unreadable and names no pid/);
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false);
  });
});

describe("shutdown", () => {
  test("SIGINT stops a foreground sandbox with exit 0 and removes its endpoints file", async () => {
    const stateDir = await tempDir("bbws-sandbox-sigint-");
    const child = await startForeground(stateDir);
    assert.equal(existsSync(join(stateDir, "endpoints.json")), true);
    child.kill("SIGINT");
    assert.equal(await exited(child), 0);
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false);
  });

  test("a start over stale state replaces it; a program that exits without stop() leaves no endpoints file", async () => {
    const stateDir = await tempDir("bbws-sandbox-exit-");
    await writeFile(join(stateDir, "endpoints.json"), JSON.stringify({ pid: 2 ** 22 + 1 }));
    const script = `
      const { startSandbox } = await import(${JSON.stringify(join(repoRoot, "sandbox/index.ts"))});
      const { readFileSync } = await import("node:fs");
      const sandbox = await startSandbox({ stateDir: ${JSON.stringify(stateDir)}, seed: false });
      const written = JSON.parse(readFileSync(${JSON.stringify(join(stateDir, "endpoints.json"))}, "utf8"));
      console.log(written.pid === process.pid ? "replaced" : "kept");
      process.exit(0);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    assert.equal(await exited(child), 0, output);
    assert.match(output, /^replaced$/m);
    assert.equal(existsSync(join(stateDir, "endpoints.json")), false);
    assert.equal(existsSync(join(stateDir, "aws-credentials")), false);
  });
});
