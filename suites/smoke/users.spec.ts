import {
  createTenant,
  SMOKE_ITEMS as ITEMS,
  independently,
  noteNothingToRead,
  SETTLED_SCAN_LIMIT,
  settledTenants,
  smoke,
  TAGS,
  test,
  UNKNOWN,
  unique,
} from "../../fixtures/index.ts";

test.describe("tenant users", () => {
  test(
    "the users of an existing tenant are listed; an unknown tenant is 404",
    smoke({ tags: [TAGS.readonly], verifies: [ITEMS.userRoutes], operations: ["list-tenants", "user-list"] }),
    async ({ contract }) => {
      const tenants = await contract.ok("list-tenants", { query: { limit: SETTLED_SCAN_LIMIT } });
      const [tenant] = settledTenants(tenants.items);
      if (tenant === undefined) noteNothingToRead("tenant");
      else {
        const page = await contract.ok("user-list", { params: { id: tenant.id }, query: { limit: 10 } });
        contract.behaves(
          "user-list",
          page.items.every((user) => user.tenantId === tenant.id),
          `the users of ${tenant.id} include another tenant's`,
        );
      }
      await contract.fails("user-list", 404, { params: { id: UNKNOWN.tenant } });
    },
  );

  test(
    "assign, list and remove a user; a second assignment is 409, a second removal 404",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.userRoutes],
      operations: ["user-assign", "user-list", "user-remove"],
    }),
    async ({ contract, owned }) => {
      const tenant = await createTenant(contract, owned);
      const userId = unique("smoke-user");
      const params = { id: tenant.id };

      await test.step("Assign a user with a role", async () => {
        const assigned = await contract.ok("user-assign", { params, body: { userId, role: "admin" } });
        contract.behaves(
          "user-assign",
          assigned.userId === userId && assigned.tenantId === tenant.id && assigned.role === "admin",
          `the assignment reads ${JSON.stringify(assigned)}`,
        );
        await independently(
          contract.fails("user-assign", 409, { params, body: { userId, role: "member" } }),
          contract.fails("user-assign", 400, { params, body: { userId, role: "owner" } }),
          contract.fails("user-assign", 404, {
            params: { id: UNKNOWN.tenant },
            body: { userId, role: "admin" },
          }),
        );
      });

      await test.step("The user is listed with the role", async () => {
        const page = await contract.ok("user-list", { params });
        const listed = page.items.find((user) => user.userId === userId);
        contract.behaves(
          "user-list",
          listed?.role === "admin",
          `the assigned user is listed as ${JSON.stringify(listed)}`,
        );
      });

      await test.step("Remove the user: 204, gone from the list, second removal 404", async () => {
        await contract.ok("user-remove", { params: { id: tenant.id, userId } });
        // The second removal changes nothing, so it goes beside the read of the list.
        const [page] = await independently(
          contract.ok("user-list", { params }),
          contract.fails("user-remove", 404, { params: { id: tenant.id, userId } }),
        );
        contract.behaves(
          "user-list",
          page.items.every((user) => user.userId !== userId),
          "the removed user is still listed",
        );
      });
    },
  );
});
