/**
 * Throw-away signers for the sandbox, the drill and the tests: fresh ed25519 keys (no passphrase) and an
 * allowed-signers file binding each person to their roles. Never for a real environment.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AttesterRole } from "../../runbooks/schema.ts";
import { principalFileName, signatureNamespace } from "./record.ts";
import { runSshKeygen } from "./ssh.ts";

export type TestPerson = { principal: string; roles: readonly AttesterRole[] };

export type TestSigner = {
  principal: string;
  roles: readonly AttesterRole[];
  /** Private key file (pass it as --key). */
  privateKey: string;
  /** Its public key file (`<privateKey>.pub`). */
  publicKey: string;
};

export type TestSigners = {
  /** The allowed-signers file naming every person (pass it as --allowed-signers / HARNESS_ALLOWED_SIGNERS). */
  allowedSigners: string;
  /** Every person, in the order given. */
  signers: TestSigner[];
  /** A person by principal (throws for an unknown one). */
  signer(principal: string): TestSigner;
};

/**
 * The sandbox's test users: every attester role of runbooks/schema.ts has a signer, and three distinct
 * prod-approvers, so that PROD's two approvals can be given by people other than the initiator.
 */
export const SANDBOX_TEST_PEOPLE: readonly TestPerson[] = [
  { principal: "alice@bbws.example", roles: ["release-manager", "prod-approver"] },
  { principal: "bob@bbws.example", roles: ["prod-approver", "code-reviewer"] },
  { principal: "carol@bbws.example", roles: ["prod-approver", "change-board"] },
  { principal: "dave@bbws.example", roles: ["qa-lead", "security-reviewer"] },
  { principal: "erin@bbws.example", roles: ["devops-engineer", "on-call-engineer"] },
  { principal: "ci@bbws.example", roles: ["service-ci"] },
];

/** Creates a key pair per person in `dir` and an allowed_signers file binding them to their roles. */
export async function createTestSigners(
  dir: string,
  people: readonly TestPerson[] = SANDBOX_TEST_PEOPLE,
): Promise<TestSigners> {
  await mkdir(dir, { recursive: true });
  const signers = await Promise.all(
    people.map(async (person): Promise<TestSigner> => {
      const privateKey = join(dir, principalFileName(person.principal).replace(/\.json$/, ".key"));
      const ran = await runSshKeygen(
        ["-t", "ed25519", "-N", "", "-q", "-C", person.principal, "-f", privateKey],
        "",
      );
      if (ran.code !== 0) {
        throw new Error(
          `ssh-keygen could not create a test key for ${person.principal}: ${ran.stderr.trim()}`,
        );
      }
      return { principal: person.principal, roles: person.roles, privateKey, publicKey: `${privateKey}.pub` };
    }),
  );
  const lines = await Promise.all(
    signers.map(async (signer) => {
      const [type, key] = (await readFile(signer.publicKey, "utf8")).trim().split(/\s+/);
      const namespaces = signer.roles.map(signatureNamespace).join(",");
      return `${signer.principal} namespaces="${namespaces}" ${type} ${key}`;
    }),
  );
  const allowedSigners = join(dir, "allowed_signers");
  await writeFile(
    allowedSigners,
    `# Test signers made by lib/attest/test-signers.ts; throw-away keys, not for any real environment.\n${lines.join("\n")}\n`,
  );
  return {
    allowedSigners,
    signers,
    signer(principal) {
      const found = signers.find((s) => s.principal === principal);
      if (!found)
        throw new Error(
          `No test signer ${principal}; the test signers are ${signers.map((s) => s.principal).join(", ")}.`,
        );
      return found;
    },
  };
}
