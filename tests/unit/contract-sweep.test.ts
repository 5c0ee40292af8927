import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Instance, Invitation, Tenant } from "../../lib/contract/index.ts";
import {
  DurationFormatError,
  formatDuration,
  parseDuration,
  selectLeftovers,
} from "../../lib/sweep/index.ts";

const now = new Date("2026-11-22T06:00:00.000Z");
const hourAgo = "2026-11-22T05:00:00.000Z";
const minuteAgo = "2026-11-22T05:59:00.000Z";

function tenant(
  id: string,
  createdAt: string,
  tags: Record<string, string>,
  status: Tenant["status"] = "active",
): Tenant {
  return {
    id,
    name: id,
    contactEmail: "qa@bbws.example",
    plan: "starter",
    status,
    parentId: null,
    tags,
    createdAt,
    updatedAt: createdAt,
    deletedAt: status === "deleted" ? createdAt : null,
  };
}

function instance(id: string, tenantId: string, createdAt: string, tags: Record<string, string>): Instance {
  return {
    id,
    tenantId,
    name: id,
    size: "small",
    status: "running",
    wordpressVersion: "6.5.2",
    lastBackupId: null,
    lastRestoredBackupId: null,
    tags,
    createdAt,
    updatedAt: createdAt,
  };
}

function invitation(
  id: string,
  tenantId: string,
  createdAt: string,
  tags: Record<string, string>,
): Invitation {
  return {
    id,
    tenantId,
    email: "x@bbws.example",
    role: "member",
    status: "pending",
    sentCount: 1,
    lastSentAt: createdAt,
    expiresAt: createdAt,
    tags,
    createdAt,
  };
}

const run = { "harness-run-id": "run-a" };

describe("sweep selection", () => {
  const snapshot = {
    tenants: [
      tenant("ten_old", hourAgo, run),
      tenant("ten_young", minuteAgo, run),
      tenant("ten_seed", hourAgo, { seed: "true" }),
      tenant("ten_seed_tagged", hourAgo, { seed: "true", ...run }),
      tenant("ten_customer", hourAgo, {}),
      tenant("ten_gone", hourAgo, run, "deleted"),
    ],
    instances: [
      instance("ins_under_old", "ten_old", minuteAgo, {}),
      instance("ins_under_young", "ten_young", minuteAgo, run),
      instance("ins_tagged_under_seed", "ten_seed", hourAgo, run),
      instance("ins_seed", "ten_seed", hourAgo, { seed: "true" }),
      instance("ins_customer", "ten_customer", hourAgo, {}),
      instance("ins_under_deleted", "ten_gone", hourAgo, {}),
    ],
    invitations: [
      invitation("inv_under_old", "ten_old", hourAgo, {}),
      invitation("inv_tagged_customer", "ten_customer", hourAgo, run),
      invitation("inv_customer", "ten_customer", hourAgo, {}),
      { ...invitation("inv_cancelled", "ten_old", hourAgo, run), status: "cancelled" as const },
    ],
  };

  test("takes old harness data and everything under old harness tenants, never seed or customer data", () => {
    const leftovers = selectLeftovers(snapshot, new Date(now.getTime() - 30 * 60_000));
    assert.deepEqual(
      leftovers.tenants.map((t) => t.id),
      ["ten_old"],
    );
    assert.deepEqual(
      leftovers.instances.map((i) => i.id),
      ["ins_under_old", "ins_tagged_under_seed", "ins_under_deleted"],
    );
    assert.deepEqual(
      leftovers.invitations.map((i) => i.id),
      ["inv_under_old", "inv_tagged_customer"],
    );
  });

  test("with no age limit, young runs' data is swept too", () => {
    const leftovers = selectLeftovers(snapshot, now);
    assert.deepEqual(
      leftovers.tenants.map((t) => t.id),
      ["ten_old", "ten_young"],
    );
    assert.ok(leftovers.instances.some((i) => i.id === "ins_under_young"));
  });
});

describe("durations", () => {
  test("read s, m, h, d and 0", () => {
    assert.equal(parseDuration("30m"), 1_800_000);
    assert.equal(parseDuration("45s"), 45_000);
    assert.equal(parseDuration("2h"), 7_200_000);
    assert.equal(parseDuration("1d"), 86_400_000);
    assert.equal(parseDuration("0"), 0);
    assert.equal(formatDuration(1_800_000), "30m");
  });

  test("refuse anything else with a message that says what to pass", () => {
    for (const bad of ["30", "m", "-5m", "5 minutes", ""]) {
      assert.throws(() => parseDuration(bad), DurationFormatError, bad);
    }
    assert.throws(() => parseDuration("soon"), /for example 30m or 2h/);
  });
});
