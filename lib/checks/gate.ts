/**
 * Pieces of the pre-promotion gate that the suite and `npm run plan` share: the bits a source serves, the
 * source-verdict findings, and the maintenance-window finding with its emergency change looked up.
 */

import type { Environment, RunbookItem, ServiceId } from "../../runbooks/index.ts";
import type { GateSettings } from "../config/index.ts";
import { loadTrustedKeys, type TrustedKey } from "../verdict/envelope.ts";
import { combinedCodeSha256 } from "../verdict/policy.ts";
import { decideAttestedItem } from "./attestations.ts";
import type { DeployedFunction } from "./deployed.ts";
import { type Finding, failed } from "./finding.ts";
import { deploymentSuites } from "./items.ts";
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

/**
 * An environment's verdicts of these suites for these bits, one finding per suite. With `trustedVerdictKeys`
 * (GateSettings: a PEM public key file or a folder of them) each verdict must carry a matching envelope signed
 * by one of those keys; keys that cannot be read fail every suite's finding, naming the problem.
 */
export function verdictFindings(options: {
  serviceId: string;
  environment: Pick<Environment, "id" | "displayName" | "policy">;
  suites: readonly string[];
  codeSha256: string | null;
  verdictsDir: string;
  trustedVerdictKeys: string | null;
  now: Date;
  files?: readonly VerdictFile[];
}): Finding[] {
  const { environment, suites } = options;
  let trustedKeys: { source: string; keys: TrustedKey[] } | null = null;
  if (options.trustedVerdictKeys !== null) {
    try {
      trustedKeys = { source: options.trustedVerdictKeys, keys: loadTrustedKeys(options.trustedVerdictKeys) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return suites.map((suite) =>
        failed(`The ${suite} verdicts' signatures cannot be checked: ${reason}`, {
          suite,
          dir: options.verdictsDir,
          trustedVerdictKeys: options.trustedVerdictKeys,
        }),
      );
    }
  }
  return judgeSourceVerdicts({
    service: options.serviceId,
    environment: environment.id,
    environmentName: environment.displayName,
    codeSha256: options.codeSha256,
    suites,
    maxAgeMs: environment.policy.verdictMaxAgeSeconds * 1000,
    now: options.now,
    dir: options.verdictsDir,
    files: options.files ?? readVerdictFiles(options.verdictsDir),
    trustedKeys,
  });
}

/** The source's smoke and post-deploy verdicts for its bits (the pre-promotion gate's 6.1, 7.1, 3.2.1, 4.3.1). */
export function sourceVerdictFindings(options: {
  serviceId: string;
  source: Pick<Environment, "id" | "displayName" | "policy">;
  codeSha256: string | null;
  verdictsDir: string;
  trustedVerdictKeys: string | null;
  now: Date;
  files?: readonly VerdictFile[];
}): Finding[] {
  const { source, ...rest } = options;
  return verdictFindings({
    ...rest,
    environment: source,
    suites: deploymentSuites(rest.serviceId as ServiceId),
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
