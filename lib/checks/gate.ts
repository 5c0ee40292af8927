/**
 * Pieces of the pre-promotion gate that the suite and `npm run plan` share: the bits a source serves, the
 * source-verdict findings, and the maintenance-window finding with its emergency change looked up.
 */

import type { Environment, RunbookItem } from "../../runbooks/index.ts";
import type { GateSettings } from "../config/index.ts";
import { combinedCodeSha256 } from "../verdict/policy.ts";
import { decideAttestedItem } from "./attestations.ts";
import type { DeployedFunction } from "./deployed.ts";
import type { Finding } from "./finding.ts";
import { judgeMaintenanceWindow, parseMaintenanceWindows } from "./maintenance.ts";
import { judgeSourceVerdicts, readVerdictFiles, type VerdictFile } from "./verdicts.ts";

/** The bits a set of deployed functions serves, as verdicts and attestations name them. */
export function bitsOf(functions: readonly DeployedFunction[]): string | null {
  return combinedCodeSha256(
    functions.map((fn) => ({
      functionName: fn.functionName,
      alias: fn.state.aliasName,
      functionVersion: fn.state.aliased.functionVersion,
      appVersion: fn.state.aliased.appVersion,
      codeSha256: fn.state.aliased.codeSha256,
    })),
  );
}

/** The source's smoke and post-deploy verdicts for its bits, one finding per suite. */
export function sourceVerdictFindings(options: {
  serviceId: string;
  source: Pick<Environment, "id" | "displayName" | "policy">;
  codeSha256: string | null;
  verdictsDir: string;
  now: Date;
  files?: readonly VerdictFile[];
}): Finding[] {
  const { source } = options;
  return judgeSourceVerdicts({
    service: options.serviceId,
    environment: source.id,
    environmentName: source.displayName,
    codeSha256: options.codeSha256,
    suites: ["smoke", "post-deploy"],
    maxAgeMs: source.policy.verdictMaxAgeSeconds * 1000,
    now: options.now,
    dir: options.verdictsDir,
    files: options.files ?? readVerdictFiles(options.verdictsDir),
  });
}

/** The maintenance window of a promotion into `environment`, with the emergency-change item looked up. */
export async function maintenanceWindowFinding(options: {
  settings: GateSettings;
  environment: Environment;
  serviceId: string;
  emergencyItem: RunbookItem;
  codeSha256: string | null;
  now: Date;
}): Promise<{ finding: Finding; emergencyCommand: string }> {
  const { settings, environment, now } = options;
  const emergency = await decideAttestedItem({
    settings,
    environment,
    serviceId: options.serviceId,
    item: options.emergencyItem,
    codeSha256: options.codeSha256,
    now,
  });
  const finding = judgeMaintenanceWindow({
    environmentName: environment.displayName,
    required: environment.policy.maintenanceWindowRequired,
    windows: parseMaintenanceWindows(environment.policy.maintenanceWindows),
    now,
    confirmed: settings.maintenanceWindowConfirmed,
    emergency:
      emergency.status === "attested"
        ? {
            status: "attested",
            by: emergency.attestations.map((a) => a.by).join(", "),
            reference: emergency.attestations[0]?.reference ?? "",
          }
        : { status: "missing", reason: `no emergency change is attested (${emergency.reason})` },
    emergencyCommand: emergency.command,
  });
  return { finding, emergencyCommand: emergency.command };
}
