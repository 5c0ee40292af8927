/**
 * `npm run attest` as a person runs it: with test signers and --code-sha256 (no sandbox), it writes a record
 * that verifies; it refuses a record that would not verify with exit 1, and every usage error with exit 2
 * before writing anything; with --sandbox and no sandbox running it exits 3.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import {
  AttestationRecordSchema,
  createTestSigners,
  type TestSigners,
  verifyAttestation,
} from "../../lib/attest/index.ts";
import { allRunbookItems, getRunbook } from "../../runbooks/index.ts";
import { type CommandResult, childEnv, runTsx } from "./spawn.ts";

const SERVICE = "tenant-instance-management";
const BITS = `combined:${"Q".repeat(43)}=`;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** The first item of the service's runbook matching `where` (looked up, so runbook edits do not break the test). */
function itemWhere(where: (item: ReturnType<typeof allRunbookItems>[number]) => boolean): string {
  const found = allRunbookItems().find(
    (item) => getRunbook(item.runbookId)?.service === SERVICE && where(item),
  );
  assert.ok(found, "the runbook has such an item");
  return found.id;
}
const APPROVAL = itemWhere((i) => i.kind === "attested" && i.attestedBy === "prod-approver");
const DEV_ONLY = itemWhere(
  (i) => i.kind === "attested" && i.environments.length === 1 && i.environments[0] === "dev",
);
const SIT_ITEM = itemWhere((i) => i.kind === "attested" && i.environments.includes("sit"));
const AUTOMATED = itemWhere((i) => i.kind === "automated" && i.environments.includes("prod"));

let dir = "";
let signers: TestSigners;
let attestations = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "attest-cli-"));
  signers = await createTestSigners(join(dir, "signers"));
  attestations = join(dir, "attestations");
});
after(() => rmSync(dir, { recursive: true, force: true }));

function attest(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
  // No sandbox may be found, and nothing of the caller's setup may leak in.
  return runTsx(
    "scripts/attest.ts",
    args,
    childEnv({ HARNESS_SANDBOX_DIR: join(dir, "no-sandbox"), ...env }),
  );
}

/** A complete command line for a prod approval by `principal` with their own key. */
function approvalArgs(principal = "alice@bbws.example", overrides: Record<string, string> = {}): string[] {
  const flags: Record<string, string> = {
    "--env": "prod",
    "--service": SERVICE,
    "--item": APPROVAL,
    "--by": principal,
    "--role": "prod-approver",
    "--reference": "CHG-12345",
    "--code-sha256": BITS,
    "--key": signers.signer(principal).privateKey,
    "--allowed-signers": signers.allowedSigners,
    "--dir": attestations,
    ...overrides,
  };
  return Object.entries(flags).flatMap(([flag, value]) => (value === "" ? [] : [flag, value]));
}

function filesWritten(): string[] {
  return existsSync(attestations) ? readdirSync(attestations, { recursive: true, encoding: "utf8" }) : [];
}

describe("attest: success", () => {
  test("writes a signed record that verifies, and prints the file (--json)", async () => {
    const result = await attest([...approvalArgs(), "--expires", "7d", "--json"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const { file, record } = z
      .object({ file: z.string(), record: AttestationRecordSchema })
      .parse(JSON.parse(result.stdout));
    assert.equal(
      file,
      join(attestations, "prod", SERVICE, APPROVAL.replaceAll("/", "__"), "alice@bbws.example.json"),
    );
    assert.ok(existsSync(file));
    assert.match(result.stderr, new RegExp(`^Attestation written: ${file.replace(/[.+]/g, "\\$&")}$`, "m"));
    assert.equal(record.codeSha256, BITS);
    assert.equal(record.principal, "alice@bbws.example");
    const lifetime = Date.parse(record.expiresAt ?? "") - Date.parse(record.attestedAt);
    assert.equal(lifetime, 7 * 24 * 3600 * 1000);
    assert.deepEqual(await verifyAttestation(record, signers.allowedSigners), {
      ok: true,
      principal: "alice@bbws.example",
      role: "prod-approver",
    });
  });

  test("takes the key, allowed signers and folder from HARNESS_* variables", async () => {
    const folder = join(dir, "from-env");
    const result = await attest(
      approvalArgs("bob@bbws.example", { "--key": "", "--allowed-signers": "", "--dir": "" }),
      {
        HARNESS_SIGNING_KEY: signers.signer("bob@bbws.example").privateKey,
        HARNESS_ALLOWED_SIGNERS: signers.allowedSigners,
        HARNESS_ATTESTATIONS_DIR: folder,
      },
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(
      existsSync(join(folder, "prod", SERVICE, APPROVAL.replaceAll("/", "__"), "bob@bbws.example.json")),
    );
    assert.match(result.stdout, /^Attestation written: /m);
  });
});

describe("attest: refused (exit 1), nothing written", { concurrency: 2 }, () => {
  test("a key that is not the principal's", async () => {
    const before = filesWritten();
    const result = await attest(
      approvalArgs("carol@bbws.example", { "--key": signers.signer("bob@bbws.example").privateKey }),
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      /refused, nothing written: .*it is not signed by the key of carol@bbws\.example \(the key belongs to bob@bbws\.example\)/,
    );
    assert.deepEqual(filesWritten(), before);
  });

  test("a principal who may not sign for the role, with who may", async () => {
    const result = await attest(approvalArgs("dave@bbws.example"));
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /dave@bbws\.example may not sign for role prod-approver/);
    assert.match(
      result.stderr,
      /alice@bbws\.example, bob@bbws\.example, carol@bbws\.example may sign for role prod-approver/,
    );
    assert.ok(!filesWritten().some((f) => f.includes("dave")));
  });
});

describe("attest: usage errors (exit 2)", { concurrency: 2 }, () => {
  const cases: ReadonlyArray<{
    name: string;
    args: () => string[];
    env?: Record<string, string>;
    message: RegExp;
  }> = [
    {
      name: "an unknown item, with a did-you-mean",
      args: () => approvalArgs("alice@bbws.example", { "--item": `${APPROVAL}x` }),
      message: new RegExp(`--item ${APPROVAL}x: no runbook item has this id; did you mean "${APPROVAL}"\\?`),
    },
    {
      name: "an automated item",
      args: () => approvalArgs("alice@bbws.example", { "--item": AUTOMATED }),
      message: new RegExp(`--item ${AUTOMATED} is an automated item: a test verifies it`),
    },
    {
      name: "an item not for that environment",
      args: () => approvalArgs("alice@bbws.example", { "--item": DEV_ONLY }),
      message: new RegExp(`--item ${DEV_ONLY} applies to promotions into dev, not prod`),
    },
    {
      name: "a role other than the item's attestedBy",
      args: () => approvalArgs("alice@bbws.example", { "--role": "release-manager" }),
      message: new RegExp(
        `--role release-manager: ${APPROVAL} is attested by prod-approver, not release-manager`,
      ),
    },
    {
      name: "a bad reference",
      args: () => approvalArgs("alice@bbws.example", { "--reference": "JIRA-1" }),
      message: /--reference JIRA-1: must be a change-request reference such as CHG-12345/,
    },
    {
      name: "a bad --expires",
      args: () => [...approvalArgs(), "--expires", "7 days"],
      message: /--expires 7 days: expected a duration such as 12h or 7d/,
    },
    {
      name: "no key",
      args: () => approvalArgs("alice@bbws.example", { "--key": "" }),
      message: /no signing key: pass your SSH private key with --key <file> or set HARNESS_SIGNING_KEY/,
    },
    {
      name: "a key file that does not exist",
      args: () => approvalArgs("alice@bbws.example", { "--key": join(dir, "missing-key") }),
      message: /--key .*missing-key: no such file/,
    },
    {
      name: "DEV without --code-sha256",
      args: () =>
        approvalArgs("alice@bbws.example", {
          "--env": "dev",
          "--item": DEV_ONLY,
          "--role": "",
          "--code-sha256": "",
        }),
      message: /--code-sha256 is missing: dev is promoted from no other environment/,
    },
    {
      name: "an allowed-signers file that does not exist",
      args: () => approvalArgs("alice@bbws.example", { "--allowed-signers": join(dir, "nobody") }),
      message: /the allowed-signers file .*nobody does not exist/,
    },
    {
      name: "an unknown flag",
      args: () => [...approvalArgs(), "--bogus-flag"],
      message: /--bogus-flag/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const before = filesWritten();
      const result = await attest(c.args(), c.env);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, c.message);
      assert.match(result.stderr, /npm run attest -- --help/);
      assert.doesNotMatch(result.stderr, STACK_FRAME);
      assert.deepEqual(filesWritten(), before);
    });
  }

  test("every problem at once", async () => {
    const result = await attest([
      "--env",
      "prod",
      "--service",
      SERVICE,
      "--item",
      APPROVAL,
      "--reference",
      "x",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^The command line has 4 problems:$/m);
    for (const flag of ["--by is missing", "--role is missing", "--reference x", "no signing key"])
      assert.ok(result.stderr.includes(flag), `${flag}\n${result.stderr}`);
  });
});

describe("attest: reading the source bits", () => {
  test("--sandbox without a running sandbox exits 3, naming what to do", async () => {
    const result = await attest([
      ...approvalArgs("alice@bbws.example", {
        "--env": "sit",
        "--item": SIT_ITEM,
        "--role": "",
        "--code-sha256": "",
      }),
      "--role",
      allRunbookItems().find((i) => i.id === SIT_ITEM)?.attestedBy ?? "",
      "--sandbox",
    ]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stderr, /No sandbox is running from .* Start one with `npm run sandbox`/);
  });

  test("--help documents the flags and exit codes", async () => {
    const result = await attest(["--help"]);
    assert.equal(result.code, 0);
    for (const text of ["--code-sha256", "--allowed-signers", "--expires", "Exit codes:", "  3  "])
      assert.ok(result.stdout.includes(text), text);
  });
});
