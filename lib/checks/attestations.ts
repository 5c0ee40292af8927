/**
 * Attested items of a gate (lib/attest): every attestation file of the item read and its SSH signature verified
 * against the allowed-signers file, then judged for this promotion (service, target, bits, initiator). The
 * verdict reporter, the plan and the maintenance-window check all decide through this one function.
 */

import type { AttesterRole, Environment } from "../../runbooks/index.ts";
import {
  type AttestedItemJudgement,
  attestCommand,
  judgeAttestedItem,
  readVerifiedAttestations,
  requiredApprovalsFor,
} from "../attest/index.ts";
import type { GateSettings } from "../config/index.ts";

export interface AttestedItemQuery {
  readonly settings: Pick<GateSettings, "attestationsDir" | "allowedSigners" | "initiator">;
  readonly environment: Pick<Environment, "id" | "approvalsRequired" | "promotedFrom">;
  readonly serviceId: string;
  readonly item: {
    readonly id: string;
    readonly title: string;
    readonly attestedBy?: AttesterRole | undefined;
  };
  /** The bits being promoted (the verdict's codeSha256). */
  readonly codeSha256: string | null;
  readonly now: Date;
}

/** The judgement, plus the exact command that records the attestation (what `plan` prints for a missing one). */
export type AttestedItemDecision = AttestedItemJudgement & { readonly command: string };

/** Reads, verifies and judges one attested item's records. */
export async function decideAttestedItem(query: AttestedItemQuery): Promise<AttestedItemDecision> {
  const { settings, environment, serviceId, item, codeSha256, now } = query;
  const role = item.attestedBy ?? "release-manager";
  const command = attestCommand({
    env: environment.id,
    service: serviceId,
    itemId: item.id,
    role,
    ...(environment.promotedFrom === null && codeSha256 !== null ? { codeSha256 } : {}),
  });
  const records = await readVerifiedAttestations({
    dir: settings.attestationsDir,
    env: environment.id,
    service: serviceId,
    itemId: item.id,
    allowedSignersFile: settings.allowedSigners,
  });
  const judgement = judgeAttestedItem({
    item: { id: item.id, title: item.title, attestedBy: role },
    service: serviceId,
    environment: environment.id,
    codeSha256,
    now,
    initiator: settings.initiator,
    requiredApprovals: requiredApprovalsFor(item, environment.approvalsRequired),
    records,
  });
  return { ...judgement, command };
}
