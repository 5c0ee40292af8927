/**
 * The drill's people (test-signers.ts) sign what a gate asks of people: every attested pre-promotion item of a
 * service into an environment, for the bits about to be promoted, by people who hold the item's role (as many
 * as it needs: PROD's two approvals by two people, neither the initiator). For the sandbox and the tests only;
 * in a real promotion each person runs `npm run attest` with their own key.
 */
import { allRunbookItems, type EnvironmentId, getRunbook, type ServiceId } from "../../runbooks/index.ts";
import { requiredApprovalsFor } from "./judge.ts";
import { type AttestationRecord, writeAttestationRecord } from "./record.ts";
import { signAttestation } from "./ssh.ts";
import type { TestSigners } from "./test-signers.ts";

/** Signs and writes every attested pre-promotion item; returns the records written. */
export async function attestGateAsTestSigners(options: {
  service: ServiceId;
  env: EnvironmentId;
  codeSha256: string;
  approvalsRequired: number;
  signers: TestSigners;
  /** The attestations folder the gate reads. */
  dir: string;
  /** Who starts the promotion: never one of its approvers. */
  initiator: string;
  /** The change request the signatures name, e.g. CHG-1001. */
  reference: string;
  now?: Date;
}): Promise<AttestationRecord[]> {
  const items = allRunbookItems().filter(
    (item) =>
      item.kind === "attested" &&
      item.suite === "pre-promotion" &&
      item.environments.includes(options.env) &&
      getRunbook(item.runbookId)?.service === options.service,
  );
  const written: AttestationRecord[] = [];
  for (const item of items) {
    const role = item.attestedBy;
    if (role === undefined) continue;
    const holders = options.signers.signers.filter(
      (s) => s.roles.includes(role) && (role !== "prod-approver" || s.principal !== options.initiator),
    );
    const needed = requiredApprovalsFor(item, options.approvalsRequired);
    if (holders.length < needed) {
      throw new Error(
        `${item.id} needs ${needed} signer(s) holding ${role}, and the test signers have ${holders.length} besides the initiator ${options.initiator}.`,
      );
    }
    for (const person of holders.slice(0, needed)) {
      const record = await signAttestation(
        {
          schemaVersion: 2,
          itemId: item.id,
          service: options.service,
          environment: options.env,
          codeSha256: options.codeSha256,
          principal: person.principal,
          role,
          reference: options.reference,
          attestedAt: (options.now ?? new Date()).toISOString(),
        },
        person.privateKey,
      );
      writeAttestationRecord(options.dir, record);
      written.push(record);
    }
  }
  return written;
}
