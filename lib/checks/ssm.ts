/** The access service's SSM deployed-version parameter (access runbook 3.2.4, 4.3.5): read, and judged against the aliases. */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { sdk } from "../aws/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";
import type { FunctionState } from "./lambda.ts";

/** The access service's deployed version from SSM (e.g. "v1.3.0" -> "1.3.0"), or null when the parameter is missing. */
export async function ssmDeployedVersion(ssm: SSMClient, name: string): Promise<string | null> {
  const value = await ssmParameterValue(ssm, name);
  return value === null ? null : stripV(value.trim());
}

/** A parameter's value exactly as stored ("v1.3.0"), or null when the parameter is missing. */
export async function ssmParameterValue(ssm: SSMClient, name: string): Promise<string | null> {
  try {
    const out = await ssm.send(new (sdk.ssm().GetParameterCommand)({ Name: name }));
    return out.Parameter?.Value ?? null;
  } catch (error) {
    if (error instanceof Error && error.name === "ParameterNotFound") return null;
    throw error;
  }
}

/** Access runbook 3.2.4 / 4.3.5: the parameter names the one app version behind every alias of the service. */
export function judgeSsmDeployedVersion(
  parameter: string,
  /** What the parameter holds (without a leading v), or null when it is missing. */
  deployed: string | null,
  states: readonly FunctionState[],
): Finding {
  const behind = [...new Set(states.map((state) => stripV(state.aliased.appVersion)))];
  if (behind.length === 0) {
    return inconclusive(
      `No alias of the service was read, so there is no version SSM ${parameter} (${deployed ?? "missing"}) should name.`,
      { parameter, deployed, behind },
    );
  }
  return deployed !== null && behind.length === 1 && behind[0] === deployed
    ? passed(`SSM ${parameter} names ${deployed}, the app version behind every alias.`, {
        parameter,
        deployed,
      })
    : failed(
        `SSM ${parameter} names ${deployed ?? "nothing (parameter missing)"}, but the aliases serve ${behind.join(", ")}. Update the parameter with the promoted version, or move the aliases.`,
        { parameter, deployed, behind },
      );
}

function stripV(version: string): string {
  return version.startsWith("v") ? version.slice(1) : version;
}
