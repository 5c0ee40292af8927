/**
 * `npm run sweep` without --sandbox goes to AWS. Without credentials or the values that needs it stops
 * before its first request with one message listing everything missing (exit 2), never a stack trace;
 * with --sandbox and no sandbox running it says so (exit 3). The child has no AWS credentials, empty AWS
 * config files and a preload that blocks every connection off 127.0.0.1, so nothing here can reach AWS.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BLOCKED_MARK } from "./loopback-only.ts";
import { type CommandResult, childEnv, repoRoot, runCommand } from "./spawn.ts";

let dir = "";
let env: Record<string, string | undefined> = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), "sweep-message-"));
  writeFileSync(join(dir, "aws-config"), "");
  writeFileSync(join(dir, "aws-credentials"), "");
  // Only what a shell without any AWS or harness setup has: no credentials, profiles, endpoints or overrides.
  env = childEnv({
    AWS_CONFIG_FILE: join(dir, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    HARNESS_SANDBOX_DIR: join(dir, "no-sandbox"),
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

function sweep(args: string[], extra: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      join(repoRoot, "tests/e2e/loopback-only.ts"),
      "scripts/sweep.ts",
      ...args,
    ],
    { ...env, ...extra },
  );
}

function assertNoTraceAndNoNetwork(result: CommandResult): void {
  const output = result.stdout + result.stderr;
  assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
  assert.ok(!output.includes(BLOCKED_MARK), `nothing may leave 127.0.0.1:\n${output}`);
}

describe("sweep without --sandbox and without AWS credentials", { concurrency: true }, () => {
  test("exits 2 naming every missing piece and pointing at --sandbox", async () => {
    const result = await sweep(["--env", "dev", "--older-than", "30m"]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assertNoTraceAndNoNetwork(result);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(
      lines[0],
      "Cannot sweep DEV in AWS account 536580886816 (no --sandbox): it lacks what that needs (3 problems):",
    );
    assert.match(
      lines[1] ?? "",
      /^ {2}environments\.dev\.awsProfile: no AWS credentials for DEV through the default credential chain \(no profile set\): .+; set HARNESS_DEV_AWS_PROFILE to a profile for account 536580886816, or log in so the default chain finds credentials$/,
    );
    assert.match(
      lines[2] ?? "",
      /^ {2}environments\.dev\.cognito\.clientId: is not set; set HARNESS_DEV_COGNITO_CLIENT_ID /,
    );
    assert.match(lines[3] ?? "", /^ {2}BBWS_DEV_SMOKE_USERNAME, BBWS_DEV_SMOKE_PASSWORD: are not set; /);
    assert.match(
      lines[4] ?? "",
      /^Pass --sandbox to sweep the embedded sandbox instead \(`npm run sandbox` starts it\)/,
    );
    assert.equal(lines.length, 5, result.stderr);
  });

  test("a named profile that does not exist is named in the message", async () => {
    const result = await sweep(["--env", "sit"], {
      HARNESS_SIT_AWS_PROFILE: "sit",
      HARNESS_SIT_API_URL: "http://127.0.0.1:9",
      HARNESS_SIT_COGNITO_CLIENT_ID: "abc",
      BBWS_SIT_SMOKE_USERNAME: "smoke",
      BBWS_SIT_SMOKE_PASSWORD: "not-a-real-password",
    });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assertNoTraceAndNoNetwork(result);
    assert.match(
      result.stderr,
      /^Cannot sweep SIT in AWS account 815856636111 \(no --sandbox\): .* \(1 problem\):$/m,
    );
    assert.match(
      result.stderr,
      /^ {2}environments\.sit\.awsProfile: no AWS credentials for SIT through profile sit: /m,
    );
    assert.ok(!result.stderr.includes("not-a-real-password"));
  });

  test("--sandbox with no sandbox running exits 3 and says how to start one", async () => {
    const result = await sweep(["--env", "dev", "--sandbox"]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assertNoTraceAndNoNetwork(result);
    assert.match(
      result.stderr,
      /^No sandbox is running from .*no-sandbox to sweep: there is no .*endpoints\.json\. Start one with `npm run sandbox`/,
    );
  });
});
