import {
  buildPath,
  type CheckResult,
  checkSuccess,
  type Instance,
  type Invitation,
  type OperationId,
  TAG_RUN_ID,
  type Tenant,
} from "../contract/index.ts";
import type { ApiRequest, ApiResponse } from "../http/index.ts";
import { SweepListError } from "./errors.ts";

/**
 * The sweeper: removes what killed or crashed runs left behind. Test data is recognised only by its
 * `harness-run-id` tag and never when it is also tagged `seed: "true"`, so seeded or customer data is
 * out of reach whatever its age.
 */

/** The one method of the API client the sweep needs. */
export interface SweepApi {
  request(request: ApiRequest): Promise<ApiResponse>;
}

/** Everything the sweep could see: live tenants, recently deleted harness tenants, instances, pending invitations. */
export interface EstateSnapshot {
  tenants: Tenant[];
  instances: Instance[];
  invitations: Invitation[];
}

export interface Leftovers {
  /** Harness tenants to soft delete (not yet deleted). */
  tenants: Tenant[];
  instances: Instance[];
  invitations: Invitation[];
}

export interface SweepOptions {
  /** Only data created before now - olderThanMs is swept, so runs still in progress keep theirs. */
  olderThanMs: number;
  now?: Date;
  /** List what would be removed without removing it. */
  dryRun?: boolean;
  /** Parallel delete requests. */
  concurrency?: number;
}

export interface SweepFailure {
  kind: "tenant" | "instance" | "invitation";
  id: string;
  reason: string;
}

export interface SweepReport {
  cutoff: string;
  dryRun: boolean;
  found: { tenants: string[]; instances: string[]; invitations: string[] };
  removed: { tenants: string[]; instances: string[]; invitations: string[] };
  failed: SweepFailure[];
}

// Soft-deleted tenants stay readable; their instances are looked at for this long after deletion,
// which covers a run killed between deleting a tenant and deleting its instances.
const DELETED_TENANT_LOOKBACK_MS = 7 * 86_400_000;
const PAGE_LIMIT = 100;

/** Whether the harness created this (tagged with a run id, not seed data). */
export function isHarnessOwned(resource: { tags: Readonly<Record<string, string>> }): boolean {
  return resource.tags[TAG_RUN_ID] !== undefined && resource.tags.seed !== "true";
}

/** The leftovers in a snapshot: harness-owned, created before the cutoff, and still live. Pure. */
export function selectLeftovers(snapshot: EstateSnapshot, cutoff: Date): Leftovers {
  const old = (createdAt: string) => Date.parse(createdAt) < cutoff.getTime();
  const ownedTenants = snapshot.tenants.filter((tenant) => isHarnessOwned(tenant) && old(tenant.createdAt));
  const ownedTenantIds = new Set(ownedTenants.map((tenant) => tenant.id));
  const owned = (resource: {
    tenantId: string;
    tags: Readonly<Record<string, string>>;
    createdAt: string;
  }) => {
    if (resource.tags.seed === "true") return false;
    // Everything under a harness tenant was made by the run that made the tenant.
    if (ownedTenantIds.has(resource.tenantId)) return true;
    return isHarnessOwned(resource) && old(resource.createdAt);
  };
  return {
    tenants: ownedTenants.filter((tenant) => tenant.status !== "deleted"),
    instances: snapshot.instances.filter(owned),
    invitations: snapshot.invitations.filter(
      (invitation) => invitation.status === "pending" && owned(invitation),
    ),
  };
}

interface Page<T> {
  items: T[];
  nextToken: string | null;
}

async function listAll<T>(
  api: SweepApi,
  id: OperationId,
  request: Omit<ApiRequest, "query"> & { query?: Record<string, string> },
  parse: (response: ApiResponse) => CheckResult<Page<T>>,
): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | null = null;
  do {
    const response = await api.request({
      ...request,
      query: { ...request.query, limit: PAGE_LIMIT, ...(nextToken === null ? {} : { nextToken }) },
    });
    const result = parse(response);
    if (!result.ok) throw new SweepListError(id, result.problems.join("; "));
    out.push(...result.value.items);
    nextToken = result.value.nextToken;
  } while (nextToken !== null);
  return out;
}

function listTenants(api: SweepApi, query: Record<string, string>): Promise<Tenant[]> {
  return listAll(api, "list-tenants", { method: "GET", path: buildPath("list-tenants"), query }, (response) =>
    checkSuccess("list-tenants", response),
  );
}

/** Reads the part of the estate the sweep judges: live tenants, recent harness deletions, their instances, pending invitations. */
export async function snapshotEstate(api: SweepApi, now: Date): Promise<EstateSnapshot> {
  const live = await listTenants(api, {});
  const deleted = (await listTenants(api, { status: "deleted" })).filter(
    (tenant) =>
      isHarnessOwned(tenant) &&
      tenant.deletedAt !== null &&
      now.getTime() - Date.parse(tenant.deletedAt) < DELETED_TENANT_LOOKBACK_MS,
  );
  const tenants = [...live, ...deleted];
  const instances: Instance[] = [];
  for (const tenant of tenants) {
    const path = buildPath("list-instances", { id: tenant.id });
    instances.push(
      ...(await listAll(api, "list-instances", { method: "GET", path }, (response) =>
        checkSuccess("list-instances", response),
      )),
    );
  }
  const invitations = await listAll(
    api,
    "invitation-list",
    { method: "GET", path: buildPath("invitation-list"), query: { status: "pending" } },
    (response) => checkSuccess("invitation-list", response),
  );
  return { tenants, instances, invitations };
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map(work));
  }
}

/** Finds and removes leftovers: cancels invitations, deletes instances, then soft deletes tenants. */
export async function sweepLeftovers(api: SweepApi, options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.olderThanMs);
  const leftovers = selectLeftovers(await snapshotEstate(api, now), cutoff);
  const report: SweepReport = {
    cutoff: cutoff.toISOString(),
    dryRun: options.dryRun === true,
    found: {
      tenants: leftovers.tenants.map((tenant) => tenant.id),
      instances: leftovers.instances.map((instance) => instance.id),
      invitations: leftovers.invitations.map((invitation) => invitation.id),
    },
    removed: { tenants: [], instances: [], invitations: [] },
    failed: [],
  };
  if (report.dryRun) return report;
  const concurrency = options.concurrency ?? 4;

  // A 404 (or 409 for an already cancelled / deleted item) means someone else removed it first: that is done.
  const remove = async (
    kind: SweepFailure["kind"],
    id: string,
    request: ApiRequest,
    expectedStatus: number,
    done: string[],
  ) => {
    try {
      const response = await api.request(request);
      if (response.status === expectedStatus || response.status === 404 || response.status === 409)
        done.push(id);
      else
        report.failed.push({ kind, id, reason: `status ${response.status}: ${response.text.slice(0, 200)}` });
    } catch (error) {
      report.failed.push({ kind, id, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  await inBatches(leftovers.invitations, concurrency, (invitation) =>
    remove(
      "invitation",
      invitation.id,
      { method: "DELETE", path: buildPath("invitation-cancel", { id: invitation.id }) },
      200,
      report.removed.invitations,
    ),
  );
  await inBatches(leftovers.instances, concurrency, (instance) =>
    remove(
      "instance",
      instance.id,
      { method: "DELETE", path: buildPath("delete-instance", { id: instance.id }) },
      204,
      report.removed.instances,
    ),
  );
  await inBatches(leftovers.tenants, concurrency, (tenant) =>
    remove(
      "tenant",
      tenant.id,
      { method: "DELETE", path: buildPath("delete-tenant", { id: tenant.id }) },
      200,
      report.removed.tenants,
    ),
  );
  return report;
}
