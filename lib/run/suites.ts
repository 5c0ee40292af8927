import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { allRunbookItems, runbooks, type ServiceId } from "../../runbooks/index.ts";
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

/** The suites whose sections (or items) hold automated items of a service's runbook: the data says who verifies what. */
function suitesWithItems(service: ServiceId): Set<string> {
  return new Set(
    allRunbookItems()
      .filter((item) => item.kind === "automated" && runbookService(item.runbookId) === service)
      .map((item) => item.suite),
  );
}

function runbookService(runbookId: string): ServiceId | undefined {
  return runbooks.find((runbook) => runbook.id === runbookId)?.service;
}

/**
 * Which suites have specs, and for which service. A suite runs for a service when its folder has specs and the
 * service's runbook gives it automated items (runbooks/: each item's suite); Playwright's grep on the access tag
 * then splits the tests. The unit test of traceability holds every such project to cover all of its items.
 */
export function suiteLayout(root: string = repoRoot): SuiteLayout[] {
  const tenant = suitesWithItems("tenant-instance-management");
  const access = suitesWithItems("access-management");
  return verdictSuites.flatMap((suite) => {
    const dir = join(root, "suites", suite);
    if (specFiles(dir).length === 0) return [];
    return [{ suite, dir, hasTenantSpecs: tenant.has(suite), hasAccessSpecs: access.has(suite) }];
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
