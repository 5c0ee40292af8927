import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { renderRunbookMarkdown } from "../../lib/traceability/index.ts";
import { environments } from "../../runbooks/index.ts";
import { runRunbookCli } from "../../scripts/runbook.ts";
import { miniRunbook } from "../fixtures-data/traceability/mini-runbook.ts";

const root = join(import.meta.dirname, "../..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    // HARNESS_* variables of the caller would change the output; only the test's own are passed.
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("HARNESS_")),
    );
    execFile(
      command,
      args,
      { cwd: root, env: { ...base, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** In-process run of the CLI with only the given HARNESS_* variables (the caller's would change the output). */
const runbookCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runRunbookCli(args, env);

describe("scripts/runbook.ts as a process", { concurrency: true }, () => {
  test("show-config with a broken file exits 2 and prints the whole ConfigError on stderr", async () => {
    const file = relative(root, join(root, "tests/fixtures-data/config/broken.json"));
    const result = await run("npx", ["tsx", "scripts/runbook.ts", "show-config", "--config", file]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.split("\n");
    const start = lines.indexOf(`Invalid harness configuration in ${file} (9 problems):`);
    assert.ok(start >= 0, result.stderr);
    assert.deepEqual(lines.slice(start + 1, start + 3), [
      "  environments.dev.accountId: must be a 12-digit AWS account id",
      '  environments.dev.monitoring.windowSeconds: must be a number, got the string "30"',
    ]);
    assert.match(lines[start + 10] ?? "", /^Fix tests\/fixtures-data\/config\/broken\.json and run again/);
  });

  test("an unknown command exits 2 with the list of commands", async () => {
    const result = await run(process.execPath, ["--import", "tsx", "scripts/runbook.ts", "deploy"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Unknown command deploy\.\nUsage: npm run runbook -- <command>\n {2}list /);
  });
});

describe("runRunbookCli", () => {
  test("show-config prints the resolved environment with the variable that changed it", async () => {
    const result = await runbookCli(["show-config", "--env", "sit"], {
      HARNESS_SIT_API_URL: "http://127.0.0.1:9",
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const shown: unknown = JSON.parse(result.stdout);
    assert.ok(typeof shown === "object" && shown !== null && "environments" in shown && "sources" in shown);
    assert.deepEqual(Object.keys(Object(shown.environments)), ["sit"]);
    assert.match(result.stdout, /"apiUrl": "http:\/\/127\.0\.0\.1:9"/);
    assert.match(result.stdout, /environments\.sit\.apiUrl from HARNESS_SIT_API_URL/);
  });

  test("show-config reports bad variables as a ConfigError with exit code 2", async () => {
    const result = await runbookCli(["show-config"], { HARNESS_DEV_ACCOUNT_ID: "12" });
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /^Invalid harness configuration in environment variables \(1 problem\):\n {2}HARNESS_DEV_ACCOUNT_ID: must be a 12-digit AWS account id\n/,
    );
  });

  test("an unknown command, a missing runbook id, an unknown environment or flag exit 2 with the valid choices", async () => {
    const unknown = await runbookCli(["deploy"]);
    assert.equal(unknown.exitCode, 2);
    for (const command of ["list [--runbook <id>]", "render <runbook-id>", "config-vars", "show-config"]) {
      assert.ok(unknown.stderr.includes(`\n  ${command}`), command);
    }
    const none = await runbookCli([]);
    assert.equal(none.exitCode, 2);
    assert.match(none.stderr, /^No command given\.\nUsage:/);
    const missing = await runbookCli(["render"]);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /^render needs a runbook id: one of tenant-deploy, access-promotion\./);
    const unknownRunbook = await runbookCli(["render", "tenant-deploy-v2"]);
    assert.equal(unknownRunbook.exitCode, 2);
    assert.match(
      unknownRunbook.stderr,
      /^Unknown runbook tenant-deploy-v2; expected one of tenant-deploy, access-promotion\./,
    );
    const badEnv = await runbookCli(["show-config", "--env", "staging"]);
    assert.equal(badEnv.exitCode, 2);
    assert.match(badEnv.stderr, /^Unknown environment staging; expected one of dev, sit, prod\./);
    const badFlag = await runbookCli(["list", "--verbose"]);
    assert.equal(badFlag.exitCode, 2);
    assert.match(badFlag.stderr, /--verbose/);
  });

  test("list, config-vars and render --no-tests print what they promise", async () => {
    const list = await runbookCli(["list", "--runbook", "access-promotion"]);
    assert.equal(list.exitCode, 0, list.stderr);
    assert.match(list.stdout, /^access-promotion: Access Management Environment Promotion/);
    assert.match(
      list.stdout,
      /\n {2}access-promotion\/5\.1\/error-rate-auto-rollback +automated +sit,prod +An error rate/,
    );
    assert.ok(!list.stdout.includes("tenant-deploy/"));
    const vars = await runbookCli(["config-vars"]);
    assert.equal(vars.exitCode, 0, vars.stderr);
    assert.match(vars.stdout, /\nHARNESS_SIT_API_URL +environments\.sit\.apiUrl +string +/);
    assert.match(
      vars.stdout,
      /\nHARNESS_PROD_COGNITO_CLIENT_ID +environments\.prod\.cognito\.clientId +string or null/,
    );
    const render = await runbookCli(["render", "tenant-deploy", "--no-tests"]);
    assert.equal(render.exitCode, 0, render.stderr);
    assert.match(render.stdout, /^# Tenant Lambda Deployment \(`tenant-deploy`\)/);
    assert.match(render.stdout, /\n## 7\.1 PROD promotion: pre-promotion checklist\n/);
    assert.match(render.stdout, /\n {2}- Threshold: lambda\.errors < 5 count over 24 h\n/);
  });
});

describe("renderRunbookMarkdown", () => {
  test("shows checklists, thresholds, the tests verifying each item, attesters and NOT VERIFIED", () => {
    const tested = new Map([
      ["mini/1/health", ["smoke/health.spec.ts › health answers"]],
      ["mini/1/auth", ["smoke/auth.spec.ts › 401", "smoke/auth.spec.ts › 200"]],
    ]);
    const markdown = renderRunbookMarkdown(miniRunbook, { tested, environments });
    assert.equal(
      markdown.slice(markdown.indexOf("## 1 Checks")),
      [
        "## 1 Checks",
        "",
        "Suite: `smoke`",
        "",
        "- [x] Health answers  ",
        "  `mini/1/health` · automated · dev",
        "  - Verified by `smoke/health.spec.ts › health answers`",
        "- [x] Auth is enforced  ",
        "  `mini/1/auth` · automated · dev, sit",
        "  - Verified by `smoke/auth.spec.ts › 401`",
        "  - Verified by `smoke/auth.spec.ts › 200`",
        "- [ ] An automated item no test declares  ",
        "  `mini/1/unmapped` · automated · prod",
        "  - Threshold: lambda.errors < 5 count over 24 h",
        "  - **NOT VERIFIED**: no test declares this item",
        "",
        "## 2 Sign-off",
        "",
        "No suite: every item is attested.",
        "",
        "- [ ] UAT signed off  ",
        "  `mini/2/uat-signed-off` · attested · prod",
        "  - Attested by qa-lead",
        "",
        "Items: 3 automated (2 verified by a test, 1 NOT VERIFIED), 1 attested.",
        "",
      ].join("\n"),
    );
    assert.match(markdown, /\| SIT \| 815856636111 \| eu-west-1 \| TBD \| no \| 0 \| no \| no \| 30 s \|/);
  });
});
