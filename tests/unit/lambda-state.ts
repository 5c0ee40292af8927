/** Plain Lambda data for the judges' unit tests: a published version and a function's state. Not a test file. */
import type { FunctionState, VersionInfo } from "../../lib/checks/lambda.ts";

/** An Active, successfully updated version; a test names what differs. */
export function versionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  return {
    functionVersion: "4",
    appVersion: "1.5.0",
    codeSha256: "sha",
    lastModified: "2026-11-22T06:00:00.000+0000",
    state: "Active",
    lastUpdateStatus: "Successful",
    ...overrides,
  };
}

/** A function whose alias serves `aliased` (default versionInfo()), which is also $LATEST's code and its only version. */
export function functionState(
  functionName: string,
  aliasName: string,
  overrides: Partial<FunctionState> = {},
): FunctionState {
  const aliased = overrides.aliased ?? versionInfo();
  return {
    functionName,
    aliasName,
    latest: { ...aliased, functionVersion: "$LATEST" },
    aliased,
    routing: {},
    aliases: [],
    versions: [aliased],
    ...overrides,
  };
}
