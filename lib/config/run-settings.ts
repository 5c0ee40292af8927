/**
 * Settings of one run that are not part of an environment's configuration, read from the process's variables
 * here so that no suite or fixture reads `process.env` itself.
 */

/** HARNESS_EXPECTED_VERSION: the version (a Lambda version number or an app semver) the caller says was deployed. */
export function expectedVersionSetting(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = env.HARNESS_EXPECTED_VERSION;
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
