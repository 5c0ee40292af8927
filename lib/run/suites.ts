import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type VerdictSuite, verdictSuites } from "../verdict/schema.ts";
import { repoRoot } from "./paths.ts";

/** Tag of tests that target the access-management service; untagged tests target the tenant service. */
export const ACCESS_TAG = "@access-management";

/** Tag of the account guard's own test (suites/account-guard.spec.ts); the guard gate lets it run. */
export const GUARD_TAG = "@guard";

/** Spec files (`*.spec.ts`) under a folder, recursively. */
export function specFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(path);
    return entry.name.endsWith(".spec.ts") ? [path] : [];
  });
}

export type SuiteLayout = {
  suite: VerdictSuite;
  dir: string;
  hasTenantSpecs: boolean;
  hasAccessSpecs: boolean;
};

/**
 * Which suites have specs, and for which service. A spec file is either about the access service (it
 * mentions the access tag) or about the tenant service; Playwright's grep does the exact split per test.
 */
export function suiteLayout(root: string = repoRoot): SuiteLayout[] {
  return verdictSuites.flatMap((suite) => {
    const dir = join(root, "suites", suite);
    const files = specFiles(dir);
    if (files.length === 0) return [];
    const texts = files.map((file) => readFileSync(file, "utf8"));
    const hasAccessSpecs = texts.some((text) => text.includes(ACCESS_TAG));
    const hasTenantSpecs = texts.some((text) => !text.includes(ACCESS_TAG));
    return [{ suite, dir, hasTenantSpecs, hasAccessSpecs }];
  });
}

/** Project name of a suite in an environment for a service: `smoke-dev`, `smoke-dev-access`. */
export function projectName(suite: string, env: string, service: string): string {
  return `${suite}-${env}${service === "access-management" ? "-access" : ""}`;
}

const PROJECT = /^(smoke|post-deploy|pre-promotion|rollback)-(dev|sit|prod)(-access)?$/;

export type ParsedProject = {
  suite: VerdictSuite;
  env: "dev" | "sit" | "prod";
  service: "tenant-instance-management" | "access-management";
};

/** Reads suite, environment and service back from a project name. */
export function parseProjectName(name: string): ParsedProject | null {
  const suite = PROJECT.exec(name);
  if (suite) {
    const [, s, env, access] = suite;
    const found = verdictSuites.find((id) => id === s);
    if (!found || (env !== "dev" && env !== "sit" && env !== "prod")) return null;
    return {
      suite: found,
      env,
      service: access ? "access-management" : "tenant-instance-management",
    };
  }
  return null;
}

/** The value of a CLI option in `--name value` or `--name=value` form (last one wins), or undefined. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, index) => {
    if (arg === name) value = argv[index + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

/** `--shard i/n` as numbers, or null when not sharded (or n = 1). */
export function parseShard(value: string | undefined): { current: number; total: number } | null {
  if (!value) return null;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) return null;
  const current = Number(match[1]);
  const total = Number(match[2]);
  if (total < 2 || current < 1 || current > total) return null;
  return { current, total };
}
