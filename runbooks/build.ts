/**
 * Small constructors that keep the runbook modules readable. Ids are written out in full at every call
 * site on purpose: a grep for `tenant-deploy/7.1/sit-running-24h` must land on its definition.
 */
import type { z } from "zod";
import type { AttesterRole, EnvironmentId, RunbookItemSchema, SuiteId, ThresholdSchema } from "./schema.ts";

export type ItemInput = z.input<typeof RunbookItemSchema>;
export type ThresholdInput = z.input<typeof ThresholdSchema>;

export const ALL: EnvironmentId[] = ["dev", "sit", "prod"];

/** Notes for pre-deployment checks that only the service's own repository can run. */
export const SERVICE_REPO_NOTE =
  "A check of the service's own repository, not of a deployed environment, so this harness cannot run " +
  "it. Attest it with the evidence of the service's CI run for the commit being deployed.";

interface ItemExtras {
  thresholds?: ThresholdInput[];
  notes?: string;
  /** The suite that verifies the item, when it is not its section's. */
  suite?: SuiteId;
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
