/**
 * Small constructors that keep the runbook modules readable. Ids are written out in full at every call
 * site on purpose: a grep for `tenant-deploy/7.1/sit-running-24h` must land on its definition.
 */
import type { z } from "zod";
import type {
  AttesterRole,
  CiEvidenceKind,
  EnvironmentId,
  RunbookItemSchema,
  SuiteId,
  ThresholdSchema,
} from "./schema.ts";

export type ItemInput = z.input<typeof RunbookItemSchema>;
export type ThresholdInput = z.input<typeof ThresholdSchema>;

export const ALL: EnvironmentId[] = ["dev", "sit", "prod"];

/** Notes for pre-deployment checks that only the service's own repository can run. */
export const SERVICE_REPO_NOTE =
  "A check of the service's own repository, not of a deployed environment, so this harness cannot run " +
  "it. Attest it with the evidence of the service's CI run for the commit being deployed.";

/** Notes for checks of the service's own repository that its CI's report files prove (lib/checks ci-evidence). */
export const CI_EVIDENCE_NOTE =
  "A check of the service's own repository: this harness cannot run it against an environment, so it reads " +
  "the report file the service's CI wrote for the commit being promoted (--ci-evidence <dir>). A missing file " +
  "is a missing attestation, never a pass.";

interface ItemExtras {
  thresholds?: ThresholdInput[];
  notes?: string;
  /** The suite that verifies the item, when it is not its section's. */
  suite?: SuiteId;
  /** The service CI's report files that prove an automated item (lib/checks ci-evidence kinds). */
  ciEvidence?: CiEvidenceKind[];
}

/** An item a test verifies against AWS (or the sandbox). */
export function automated(
  id: string,
  title: string,
  environments: EnvironmentId[],
  extras: ItemExtras = {},
): ItemInput {
  return { id, title, kind: "automated", environments, ...extras };
}

/** An item a person signs (approval, sign-off, notification, evidence from elsewhere). */
export function attested(
  id: string,
  title: string,
  attestedBy: AttesterRole,
  environments: EnvironmentId[],
  extras: ItemExtras = {},
): ItemInput {
  return { id, title, kind: "attested", attestedBy, environments, ...extras };
}
