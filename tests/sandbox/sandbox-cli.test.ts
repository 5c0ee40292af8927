/**
 * The sandbox CLI as a user runs it: usage errors, "not running", and a real foreground sandbox in a
 * child process that `status` and `deploy` reach through its endpoints file and that stops cleanly
 * on SIGTERM.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { sandboxCli as cli } from "./cli-capture.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");

let stateDir: string;
let emptyStateDir: string;
let foreground: ChildProcess | undefined;
let foregroundOutput = "";
let foregroundSpawnedAt = 0;
const bundleDir = join(repoRoot, ".sandbox", "cli-bundle");

/** Whether a start since `since` used or built a bundle (a start touches the bundle it loads). */
async function bundleUsedSince(since: number): Promise<boolean> {
  const names = await readdir(bundleDir).catch(() => []);
  for (const name of names.filter((n) => /^start-[0-9a-f]+\.mjs$/.test(n))) {
    const info = await stat(join(bundleDir, name)).catch(() => undefined);
    if (info && info.mtimeMs >= since - 1_000) return true;
  }
  return false;
}

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-cli-"));
  emptyStateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-cli-empty-"));
});

after(async () => {
  if (foreground && foreground.exitCode === null) foreground.kill("SIGKILL");
  await rm(stateDir, { recursive: true, force: true });
  await rm(emptyStateDir, { recursive: true, force: true });
});

describe("without a running sandbox", () => {
  test("--help prints the commands and exits 0", async () => {
    const run = await cli(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Commands:/);
    assert.match(run.stdout, /deploy/);
  });

  test("usage errors exit 2 and say what to do", async () => {
    const unknown = await cli(["deploy", "--env", "dev", "--bogus"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--bogus/);
    assert.match(unknown.stderr, /--help/);
    const noEnv = await cli(["deploy"]);
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.stderr, /--env/);
    const badFault = await cli(["deploy", "--env", "dev", "--fault", "meteor"]);
    assert.equal(badFault.code, 2);
    assert.match(badFault.stderr, /valid fault kinds: endpoint-5xx/);
    const badCanary = await cli(["deploy", "--env", "dev", "--canary", "2"]);
    assert.equal(badCanary.code, 2);
  });

  test("deploy and status exit 3 when no sandbox runs", async () => {
    const deploy = await cli(["deploy", "--env", "dev", "--state-dir", emptyStateDir]);
    assert.equal(deploy.code, 3);
    assert.match(deploy.stderr, /npm run sandbox/);
    const status = await cli(["status", "--state-dir", emptyStateDir]);
    assert.equal(status.code, 3);
  });
});

describe("a program that starts and stops the sandbox", () => {
  test("exits on its own: stop() leaves no server, worker or timer behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbws-sandbox-exit-"));
    // Starts, invokes the API once (so a Lambda worker runs), stops, and does not call process.exit.
    const script = `
      const { startSandbox } = await import(${JSON.stringify(join(repoRoot, "sandbox/index.ts"))});
      const sandbox = await startSandbox({ stateDir: ${JSON.stringify(dir)} });
      const response = await fetch(sandbox.endpoints.environments.dev.apiUrl + "/health");
      console.log("health", response.status);
      await sandbox.stop();
      console.log("stopped");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    let stoppedAt = 0;
    const exit = await new Promise<number | null>((resolveExit) => {
      child.stdout.on("data", () => {
        if (stoppedAt === 0 && output.includes("stopped")) stoppedAt = performance.now();
      });
      // A lingering handle would keep the process alive: give up (and fail) after a generous while.
      const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.once("exit", (code) => {
        clearTimeout(guard);
        resolveExit(code);
      });
    });
    await rm(dir, { recursive: true, force: true });
    assert.equal(exit, 0);
    assert.match(output, /health 200/);
    assert.ok(stoppedAt > 0, output);
    assert.ok(performance.now() - stoppedAt < 5_000, "the process exited right after stop()");
  });
});

describe("a foreground sandbox", () => {
  test("starts, prints what to export without secrets, and says it is ready", async () => {
    foregroundSpawnedAt = Date.now();
    foreground = spawn(process.execPath, ["--import", "tsx", "sandbox/cli.ts", "--state-dir", stateDir], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = foreground;
    await new Promise<void>((resolveReady, rejectReady) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        foregroundOutput += chunk.toString("utf8");
        if (/^ready in \d+ ms$/m.test(foregroundOutput)) resolveReady();
      });
      child.once("exit", (code) => rejectReady(new Error(`exited early with ${code}`)));
    });
    assert.match(foregroundOutput, /^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(foregroundOutput, new RegExp(`^export AWS_CONFIG_FILE=${stateDir}/aws-config$`, "m"));
    assert.match(foregroundOutput, /^export AWS_SHARED_CREDENTIALS_FILE=/m);
    assert.match(foregroundOutput, /prod\s+profile bbws-prod\s+account 093646564004\s+region af-south-1/);
    assert.doesNotMatch(foregroundOutput, /aws_secret_access_key|AKIA[A-Z0-9]{16}/);
    const { readEndpointsFile } = await import("../../sandbox/endpoints.ts");
    const endpoints = await readEndpointsFile(stateDir);
    for (const env of ["dev", "sit", "prod"] as const) {
      assert.ok(!foregroundOutput.includes(endpoints.environments[env].cognito.smokeUser.password));
      assert.ok(!foregroundOutput.includes(endpoints.environments[env].secretAccessKey));
    }
  });

  test("status finds it through the endpoints file", async () => {
    const run = await cli(["status", "--state-dir", stateDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /status: ready/);
  });

  test("deploy goes through the AWS APIs and reports the new version", async () => {
    const run = await cli(["deploy", "--env", "sit", "--version", "1.5.0", "--state-dir", stateDir]);
    assert.equal(run.code, 0, run.stderr);
    const result = z
      .object({
        functionName: z.string(),
        functionVersion: z.string(),
        appVersion: z.string(),
        backupAlias: z.string(),
      })
      .parse(JSON.parse(run.stdout));
    assert.deepEqual(result, {
      ...result,
      functionName: "bbws-tenant-instance-management-sit",
      functionVersion: "4",
      appVersion: "1.5.0",
      backupAlias: "backup-sit-v3",
    });
    const badRoute = await cli([
      "deploy",
      "--env",
      "dev",
      "--fault",
      "endpoint-5xx",
      "--route",
      "POST /nowhere",
      "--state-dir",
      stateDir,
    ]);
    assert.equal(badRoute.code, 2);
    assert.match(badRoute.stderr, /POST \/tenants\/\{id\}\/park/);
  });

  test("SIGTERM stops it with exit 0 and removes the endpoints file", async () => {
    const child = foreground;
    assert.ok(child);
    // Without a bundle for the current sources the CLI builds one after "ready"; let it finish.
    for (let i = 0; i < 150 && !(await bundleUsedSince(foregroundSpawnedAt)); i++) await sleep(200);
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => resolveExit(code)),
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    await assert.rejects(stat(join(stateDir, "endpoints.json")), { code: "ENOENT" });
  });

  test("the next start runs from the bundle and serves the same API", async () => {
    assert.ok(
      await bundleUsedSince(foregroundSpawnedAt),
      "the previous start left a bundle for these sources",
    );
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "sandbox/cli.ts", "--verbose", "--state-dir", stateDir],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    await new Promise<void>((resolveReady, rejectReady) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        if (/^ready in \d+ ms$/m.test(stdout)) resolveReady();
      });
      child.once("exit", (code) => rejectReady(new Error(`exited early with ${code}: ${stderr}`)));
    });
    assert.match(stderr, /sandbox: loaded from .*cli-bundle\/start-[0-9a-f]+\.mjs/);
    const apiUrl = /API URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(apiUrl, stdout);
    const health = await fetch(`${apiUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(z.object({ version: z.string() }).parse(await health.json()).version, "1.4.0");
    const exited = new Promise<number | null>((resolveExit) =>
      child.once("exit", (code) => resolveExit(code)),
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
