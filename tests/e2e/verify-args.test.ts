/**
 * `npm run verify` refuses bad command lines and broken configuration with exit 2 and a message that says
 * what to fix, before starting a sandbox or writing a run folder.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { childEnv, runTsx } from "./spawn.ts";

// The runs of this file go to a folder of its own: other test files create run folders under reports/runs/ at
// the same time, so "no run folder was created" can only be judged where nothing else writes.
const runsRoot = mkdtempSync(join(tmpdir(), "verify-args-runs-"));

type Result = { code: number | null; stdout: string; stderr: string };

function verify(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return runTsx("scripts/verify.ts", args, childEnv({ HARNESS_RUNS_DIR: runsRoot, ...env }));
}

function runFolders(): Set<string> {
  return new Set(existsSync(runsRoot) ? readdirSync(runsRoot) : []);
}

describe("verify without a sandbox: usage, configuration and reachability", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "verify-args-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(runsRoot, { recursive: true, force: true });
  });

  test("a broken --config file exits 2 with the ConfigError text, before any sandbox or run folder", async () => {
    const file = join(dir, "broken.json");
    writeFileSync(
      file,
      JSON.stringify({ environments: { dev: { region: "mars-1", http: { timeoutMs: -5 } }, qa: {} } }),
    );
    const before = runFolders();
    const result = await verify(["--env", "dev", "--suite", "smoke", "--sandbox", "--config", file]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^Invalid harness configuration in ${file} \\(3 problems\\):$`, "m"),
    );
    assert.match(result.stderr, /^ {2}environments\.dev\.region: must be an AWS region such as eu-west-1$/m);
    assert.match(result.stderr, /^ {2}environments\.dev\.http\.timeoutMs: must be greater than 0$/m);
    assert.match(
      result.stderr,
      /^ {2}environments\.qa: unknown environment; expected one of dev, sit, prod$/m,
    );
    assert.doesNotMatch(result.stdout, /starting the embedded sandbox/);
    assert.deepEqual(runFolders(), before, "no run folder may be created for a configuration error");
  });

  test("a --config file that is not JSON exits 2 naming the file", async () => {
    const file = join(dir, "not-json.json");
    writeFileSync(file, "{ environments: ");
    const result = await verify(["--env", "dev", "--suite", "smoke", "--config", file]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes(file), result.stderr);
  });

  test("unknown environment, suite and service exit 2 listing every problem and the valid values", async () => {
    const result = await verify(["--env", "qa", "--suite", "smokey", "--service", "billing"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--env qa: expected one of dev, sit, prod/);
    assert.match(
      result.stderr,
      /--suite smokey: expected one of smoke, post-deploy, pre-promotion, rollback/,
    );
    assert.match(
      result.stderr,
      /--service billing: expected one of tenant-instance-management, access-management/,
    );
    assert.match(result.stderr, /^Run `npm run verify -- --help` for every option\.$/m);
  });

  test("an unknown option and a malformed shard exit 2", async () => {
    const unknown = await verify(["--env", "dev", "--suite", "smoke", "--fast"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--fast/);
    const shard = await verify(["--env", "dev", "--suite", "smoke", "--shard", "3/2"]);
    assert.equal(shard.code, 2);
    assert.match(shard.stderr, /--shard 3\/2: expected i\/n/);
  });

  test("an AWS endpoint nobody answers on stops the run at the account guard with exit 3 (inconclusive)", async () => {
    const runId = "20261122-000000-dev-smoke-e3e3";
    const runDir = join(runsRoot, runId);
    try {
      const result = await verify(["--env", "dev", "--suite", "smoke", "--grep", "Smoke: health check"], {
        HARNESS_RUN_ID: runId,
        // Port 9 (discard) on loopback: nothing listens there, so every AWS call is refused.
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
        AWS_SECRET_ACCESS_KEY: "notASecretButSecretShaped0123456789abcdef",
        HARNESS_DEV_COGNITO_USER_POOL_ID: "eu-west-1_example",
        HARNESS_DEV_COGNITO_CLIENT_ID: "exampleclient",
      });
      assert.equal(result.code, 3, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /Guard: {3}FAILED, no check ran\. Account guard: AWS for dev could not be reached/,
      );
      assert.match(
        result.stdout,
        /CUSTOM ENDPOINT AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:9 \(not AWS\)/,
        "the target line names the endpoint and never passes it off as AWS",
      );
      assert.ok(
        !(result.stdout + result.stderr).includes("notASecretButSecretShaped"),
        "the secret key was printed",
      );
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  test("a value the runbook leaves open (SIT's API URL) exits 2 naming the variable to set", async () => {
    const result = await verify(["--env", "sit", "--suite", "smoke"]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /environments\.sit\.apiUrl: is "TBD" in the runbook; set HARNESS_SIT_API_URL/,
    );
  });
});
