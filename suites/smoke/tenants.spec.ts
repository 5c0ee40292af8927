import {
  createTenant,
  SMOKE_ITEMS as ITEMS,
  independently,
  newestFirst,
  noteNothingToRead,
  SETTLED_SCAN_LIMIT,
  settledTenants,
  smoke,
  TAG_RUN_ID,
  TAGS,
  test,
  UNKNOWN,
  unique,
} from "../../fixtures/index.ts";

test.describe("tenants", () => {
  test(
    "GET /tenants lists tenants newest first, page by page",
    smoke({ tags: [TAGS.readonly, TAGS.probe], verifies: [ITEMS.listTenants], operations: ["list-tenants"] }),
    async ({ contract }) => {
      const first = await contract.ok("list-tenants", { query: { limit: 2 } });
      contract.behaves(
        "list-tenants",
        first.items.length <= 2,
        `limit=2 returned ${first.items.length} items`,
      );
      contract.behaves(
        "list-tenants",
        first.items.every((tenant) => tenant.status !== "deleted"),
        "the default list includes deleted tenants",
      );
      if (first.nextToken !== null) {
        const second = await contract.ok("list-tenants", { query: { limit: 2, nextToken: first.nextToken } });
        const ids = [...first.items, ...second.items].map((tenant) => tenant.id);
        contract.behaves(
          "list-tenants",
          new Set(ids).size === ids.length,
          "the second page repeats tenants of the first",
        );
        contract.behaves("list-tenants", newestFirst(ids), `tenants are not newest first: ${ids.join(", ")}`);
      }
      await independently(
        contract.fails("list-tenants", 400, { query: { limit: 0 } }),
        contract.fails("list-tenants", 400, { query: { limit: 101 } }),
        contract.fails("list-tenants", 400, { query: { nextToken: "not-a-token" } }),
      );
    },
  );

  test(
    "GET /tenants without a token, or with a forged one, is refused with 401",
    smoke({
      tags: [TAGS.readonly, TAGS.probe],
      verifies: [ITEMS.tenantsRequireAuth],
      operations: ["list-tenants", "get-tenant"],
    }),
    async ({ contract }) => {
      await independently(
        contract.fails("list-tenants", 401, { auth: "none" }),
        contract.fails("list-tenants", 401, { auth: { token: "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl" } }),
        contract.fails("get-tenant", 401, { params: { id: UNKNOWN.tenant }, auth: "none" }),
      );
    },
  );

  test(
    "GET /tenants/{id} returns an existing tenant and 404 for an unknown id",
    smoke({
      tags: [TAGS.readonly],
      verifies: [ITEMS.getTenantById],
      operations: ["list-tenants", "get-tenant"],
    }),
    async ({ contract }) => {
      const page = await contract.ok("list-tenants", { query: { limit: SETTLED_SCAN_LIMIT } });
      const [existing] = settledTenants(page.items);
      if (existing === undefined) noteNothingToRead("tenant");
      else {
        const tenant = await contract.ok("get-tenant", { params: { id: existing.id } });
        contract.behaves(
          "get-tenant",
          tenant.id === existing.id && tenant.createdAt === existing.createdAt,
          `asked for ${existing.id} (created ${existing.createdAt}), got ${tenant.id} (created ${tenant.createdAt})`,
        );
        // Someone may change the tenant between the two reads; the same version must read the same.
        contract.behaves(
          "get-tenant",
          tenant.updatedAt === existing.updatedAt
            ? JSON.stringify(tenant) === JSON.stringify(existing)
            : tenant.updatedAt > existing.updatedAt,
          tenant.updatedAt === existing.updatedAt
            ? "get and list disagree on the same version of the tenant"
            : `get returned an older version (updated ${tenant.updatedAt}) than list (updated ${existing.updatedAt})`,
        );
      }
      const error = await contract.fails("get-tenant", 404, { params: { id: UNKNOWN.tenant } });
      contract.behaves("get-tenant", error.error.code === "NotFound", `404 with code ${error.error.code}`);
    },
  );

  test(
    "create, get, update and soft delete a tenant",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.tenantRoutes, ITEMS.getTenantById],
      operations: ["create-tenant", "get-tenant", "update-tenant", "delete-tenant", "list-tenants"],
    }),
    async ({ contract, owned }) => {
      const created = await test.step("Create a tenant tagged with the run id", async () => {
        const tenant = await createTenant(contract, owned);
        contract.behaves("create-tenant", tenant.status === "active", `a new tenant is ${tenant.status}`);
        contract.behaves("create-tenant", tenant.plan === "starter", `the default plan is ${tenant.plan}`);
        contract.behaves(
          "create-tenant",
          tenant.tags[TAG_RUN_ID] === owned.tags[TAG_RUN_ID],
          "the run id tag was not stored",
        );
        return tenant;
      });

      await test.step("The new tenant is readable and listed", async () => {
        const read = await contract.ok("get-tenant", { params: { id: created.id } });
        contract.behaves(
          "get-tenant",
          read.name === created.name,
          "the created tenant reads back differently",
        );
        const page = await contract.ok("list-tenants", { query: { limit: 100 } });
        const newest = page.items.map((tenant) => tenant.id);
        contract.behaves("list-tenants", newestFirst(newest), "tenants are not newest first");
      });

      await test.step("An update is visible on the next get", async () => {
        const name = unique("smoke-renamed");
        const updated = await contract.ok("update-tenant", {
          params: { id: created.id },
          body: { name, plan: "business" },
        });
        contract.behaves(
          "update-tenant",
          updated.name === name && updated.plan === "business",
          "update not applied",
        );
        const read = await contract.ok("get-tenant", { params: { id: created.id } });
        contract.behaves("update-tenant", read.name === name, `after the update, get says name ${read.name}`);
        contract.behaves(
          "update-tenant",
          read.plan === "business",
          `after the update, get says plan ${read.plan}`,
        );
        await independently(
          contract.fails("update-tenant", 400, { params: { id: created.id }, body: {} }),
          contract.fails("update-tenant", 404, { params: { id: UNKNOWN.tenant }, body: { name } }),
        );
      });

      await test.step("Soft delete keeps the tenant readable as deleted", async () => {
        const deleted = await contract.ok("delete-tenant", { params: { id: created.id } });
        contract.behaves(
          "delete-tenant",
          deleted.status === "deleted",
          `delete answered status ${deleted.status}`,
        );
        contract.behaves("delete-tenant", deleted.deletedAt !== null, "delete did not set deletedAt");
        const read = await contract.ok("get-tenant", { params: { id: created.id } });
        contract.behaves("delete-tenant", read.status === "deleted", `after delete, get says ${read.status}`);
        await independently(
          contract.fails("delete-tenant", 409, { params: { id: created.id } }),
          contract.fails("update-tenant", 409, { params: { id: created.id }, body: { name: "late" } }),
          contract.fails("delete-tenant", 404, { params: { id: UNKNOWN.tenant } }),
        );
      });
    },
  );

  test(
    "park and unpark a tenant; invalid lifecycle transitions are refused with 409",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.tenantRoutes],
      operations: ["tenant-park", "tenant-unpark", "get-tenant", "list-tenants"],
    }),
    async ({ contract, owned }) => {
      const tenant = await createTenant(contract, owned);
      await contract.fails("tenant-unpark", 409, { params: { id: tenant.id } });

      await test.step("A parked tenant reports parked", async () => {
        await contract.transition("tenant-park", "get-tenant", { id: tenant.id }, "parked", "park");
        const listed = await contract.ok("list-tenants", { query: { status: "parked", limit: 100 } });
        contract.behaves(
          "list-tenants",
          listed.items.every((item) => item.status === "parked"),
          "status=parked returned tenants in another state",
        );
        await contract.fails("tenant-park", 409, { params: { id: tenant.id } });
      });

      await test.step("An unparked tenant is active again", async () => {
        await contract.transition("tenant-unpark", "get-tenant", { id: tenant.id }, "active", "unpark");
        await contract.fails("tenant-unpark", 409, { params: { id: tenant.id } });
      });

      await independently(
        contract.fails("tenant-park", 404, { params: { id: UNKNOWN.tenant } }),
        contract.fails("tenant-unpark", 404, { params: { id: UNKNOWN.tenant } }),
      );
    },
  );

  test(
    "create refuses invalid input (400) and an unknown parent (404)",
    smoke({ tags: [TAGS.mutating], verifies: [ITEMS.tenantRoutes], operations: ["create-tenant"] }),
    async ({ contract, owned }) => {
      await independently(
        contract.fails("create-tenant", 400, {
          body: { contactEmail: "a@bbws.example", tags: owned.tags },
        }),
        contract.fails("create-tenant", 400, {
          body: { name: "x", contactEmail: "not-an-email", tags: owned.tags },
        }),
        contract.fails("create-tenant", 400, { rawBody: "{not json" }),
        contract.fails("create-tenant", 404, {
          body: {
            name: unique("orphan"),
            contactEmail: "a@bbws.example",
            parentId: UNKNOWN.tenant,
            tags: owned.tags,
          },
        }),
      );
    },
  );
});
