import { randomBytes } from "node:crypto";

/** `<yyyymmdd-hhmmss>-<env>-<suite>-<4 hex>`, UTC. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9-]+-[0-9a-f]{4}$/;

/** A new run id, e.g. `20261122-060102-dev-smoke-3fa9`. */
export function createRunId(
  env: string,
  suite: string,
  now: Date = new Date(),
  random: string = randomBytes(2).toString("hex"),
): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `${stamp}-${env}-${suite}-${random}`;
}

/** Whether a string is a run id (and so safe to use as a folder name). */
export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** Run ids a user may choose (`--run-id`): the harness's own, or a CI's such as `8123456789-smoke`. */
export const USER_RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$/;

/** Whether a user-chosen run id is safe as a folder name. */
export function isUserRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value) || USER_RUN_ID_PATTERN.test(value);
}
