import { randomBytes } from "node:crypto";
import { expect, type Owned, test, verifies } from "../../../fixtures/index.ts";
import {
  type CreateInstanceRequest,
  type CreateInvitationRequest,
  type CreateTenantRequest,
  type Instance,
  type Invitation,
  type OperationId,
  operationAnnotations,
  TAG_RUN_ID,
  type Tenant,
  writeCoverageFile,
} from "../../../lib/contract/index.ts";
import { undici } from "../../../lib/http/index.ts";
import { ANNOTATION } from "../../../lib/verdict/index.ts";
import type { Environment } from "../../../runbooks/schema.ts";
import { ContractClient, type SmokeApi } from "./contract-client.ts";

export const TAGS = {
  smoke: "@smoke",
  readonly: "@readonly",
  mutating: "@mutating",
  probe: "@probe",
} as const;

/** Runbook items the smoke suite verifies (tenant-deploy sections 1.2 and 5). */
export const ITEMS = {
  healthDirectInvoke: "tenant-deploy/5.1/health-direct-invoke",
  apiHealth: "tenant-deploy/5.2/api-health",
  tenantsRequireAuth: "tenant-deploy/5.2/tenants-require-auth",
  listTenants: "tenant-deploy/5.2/list-tenants-authenticated",
  getTenantById: "tenant-deploy/5.3/get-tenant-by-id",
  createInvitation: "tenant-deploy/5.3/create-invitation",
  scaleInstance: "tenant-deploy/5.3/scale-instance",
  tenantRoutes: "tenant-deploy/1.2/tenant-routes",
  instanceRoutes: "tenant-deploy/1.2/instance-routes",
  invitationRoutes: "tenant-deploy/1.2/invitation-routes",
  userRoutes: "tenant-deploy/1.2/user-routes",
  hierarchyRoute: "tenant-deploy/1.2/hierarchy-route",
} as const;

type Tag = (typeof TAGS)[keyof typeof TAGS];

/**
 * Test details for a smoke test: its tags, the runbook items it verifies and the contract operations
 * it exercises (the `operation` annotations the coverage check reads without running anything).
 */
export function smoke(options: { tags: Tag[]; verifies: string[]; operations: OperationId[] }): {
  tag: string[];
  annotation: Array<{ type: string; description: string }>;
} {
  return {
    tag: [...new Set<string>([TAGS.smoke, ...options.tags])],
    annotation: [...verifies(...options.verifies).annotation, ...operationAnnotations(...options.operations)],
  };
}

/** The contract-checking client over the test's api fixture, with the environment's latency budget. */
export function contractClient(api: SmokeApi, environment: Environment): ContractClient {
  return new ContractClient(api, { latencyBudgetMs: environment.http.latencyBudgetMs });
}

/** Ids that are well-formed but cannot exist, for the 404 checks. */
export const UNKNOWN = {
  tenant: `ten_${"0".repeat(26)}`,
  instance: `ins_${"0".repeat(26)}`,
  invitation: `inv_${"0".repeat(26)}`,
  backup: `bak_${"0".repeat(26)}`,
  user: "smoke-user-that-does-not-exist",
} as const;

/** A short unique suffix for names, so parallel tests and runs never collide. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

/** Creates a tenant tagged with the run id and tracked for teardown. */
export async function createTenant(
  contract: ContractClient,
  owned: Owned,
  overrides: Partial<CreateTenantRequest> = {},
): Promise<Tenant> {
  const body: CreateTenantRequest = {
    name: unique("smoke-tenant"),
    contactEmail: "smoke-test@bbws.example",
    tags: { ...owned.tags },
    ...overrides,
  };
  const tenant = await contract.ok("create-tenant", { body });
  owned.track("tenant", tenant.id);
  return tenant;
}

/** Creates an instance under a tenant, tagged and tracked (deleted before its tenant at teardown). */
export async function createInstance(
  contract: ContractClient,
  owned: Owned,
  tenantId: string,
  overrides: Partial<CreateInstanceRequest> = {},
): Promise<Instance> {
  const body: CreateInstanceRequest = {
    name: unique("smoke-site"),
    size: "small",
    tags: { ...owned.tags },
    ...overrides,
  };
  const instance = await contract.ok("create-instance", { params: { id: tenantId }, body });
  owned.track("instance", instance.id);
  return instance;
}

/** Creates an invitation, tagged and tracked (cancelled at teardown). */
export async function createInvitation(
  contract: ContractClient,
  owned: Owned,
  tenantId: string,
  overrides: Partial<CreateInvitationRequest> = {},
): Promise<Invitation> {
  const body: CreateInvitationRequest = {
    tenantId,
    email: `${unique("invitee")}@bbws.example`,
    role: "member",
    tags: { ...owned.tags },
    ...overrides,
  };
  const invitation = await contract.ok("invitation-create", { body });
  owned.track("invitation", invitation.id);
  return invitation;
}

/**
 * Hooks every smoke spec file registers:
 * - a warm-up GET /health per worker and file, so a cold start of the function (first call after a
 *   deploy or an idle spell) is not charged to the first check's latency budget;
 * - the read-only guard: a test tagged @readonly, or any test in a read-only environment, must end
 *   having sent zero mutating requests (the API fixture's own count);
 * - endpoint coverage: coverage.json in the run folder, recomputed from requests.jsonl after each
 *   file's tests in each worker. Every test is followed by such a hook, so the last one to run has
 *   seen every request of the run, and its file is the one left when the reporters seal the run.
 */
export function registerSmokeHooks(): void {
  test.beforeAll(async ({ environment, accountGuard }) => {
    // Nothing is sent to an environment whose account the guard could not confirm.
    if (environment.apiUrl === "TBD" || accountGuard.guard.status === "failed") return;
    try {
      const response = await undici().request(`${environment.apiUrl.replace(/\/+$/, "")}/health`, {
        signal: AbortSignal.timeout(environment.http.timeoutMs),
      });
      await response.body.dump();
    } catch {
      // The warm-up only absorbs a cold start; an API that cannot answer fails the checks themselves.
    }
  });
  test.afterAll(async ({ runDir, environment }) => {
    if (runDir !== null)
      writeCoverageFile(runDir, environment.apiUrl === "TBD" ? {} : { baseUrl: environment.apiUrl });
  });
  test.afterEach(async ({ api, environment }, testInfo) => {
    if (environment.policy.readOnly || testInfo.tags.includes(TAGS.readonly)) {
      expect(
        api.mutatingRequestCount,
        `${testInfo.title} sent mutating requests in a read-only check (${environment.displayName})`,
      ).toBe(0);
    }
  });
}

/** Whether ids are in descending order (the contract's "newest first" for time-sortable ids). */
export function newestFirst(ids: readonly string[]): boolean {
  return ids.every((id, index) => index === 0 || (ids[index - 1] ?? "") > id);
}

/** Page size a read-only check lists tenants with, to find some that are not test data. */
export const SETTLED_SCAN_LIMIT = 50;

/**
 * Existing tenants a read-only check can read twice without racing: none created by a harness run. The
 * mutating tests of this run (or of a run beside it) update and delete their own tenants in parallel
 * workers, so a list-then-get of one of those could see two different versions.
 */
export function settledTenants(tenants: readonly Tenant[]): Tenant[] {
  return tenants.filter((tenant) => tenant.tags[TAG_RUN_ID] === undefined);
}

/** Notes in the report that a read-only check found no existing data to read and checked less. */
export function noteNothingToRead(what: string): void {
  test.info().annotations.push({
    type: ANNOTATION.warning,
    description: `no ${what} outside test data to read in this environment; only the unknown-id and 401 answers were checked`,
  });
}
