import {
  createInvitation,
  createTenant,
  SMOKE_ITEMS as ITEMS,
  independently,
  newestFirst,
  smoke,
  TAGS,
  test,
  UNKNOWN,
  unique,
} from "../../fixtures/index.ts";

const WEEK_MS = 7 * 86_400_000;

test.describe("invitations", () => {
  test(
    "invitations are listed newest first and readable; unknown ids are 404",
    smoke({
      tags: [TAGS.readonly],
      verifies: [ITEMS.invitationRoutes],
      operations: ["invitation-list", "invitation-get"],
    }),
    async ({ contract }) => {
      const [page, pending] = await independently(
        contract.ok("invitation-list", { query: { limit: 5 } }),
        contract.ok("invitation-list", { query: { status: "pending", limit: 5 } }),
      );
      contract.behaves("invitation-list", newestFirst(page.items.map((item) => item.id)), "not newest first");
      contract.behaves(
        "invitation-list",
        pending.items.every((item) => item.status === "pending"),
        "status=pending returned invitations in another state",
      );
      const first = page.items[0];
      if (first !== undefined) {
        const read = await contract.ok("invitation-get", { params: { id: first.id } });
        contract.behaves("invitation-get", read.id === first.id, `asked for ${first.id}, got ${read.id}`);
      }
      await independently(
        contract.fails("invitation-get", 404, { params: { id: UNKNOWN.invitation } }),
        contract.fails("invitation-list", 400, { query: { limit: 0 } }),
      );
    },
  );

  test(
    "create, get, list, resend and cancel an invitation; a cancelled one cannot be resent",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.createInvitation, ITEMS.invitationRoutes],
      operations: [
        "invitation-create",
        "invitation-get",
        "invitation-list",
        "invitation-resend",
        "invitation-cancel",
      ],
    }),
    async ({ contract, owned }) => {
      const tenant = await createTenant(contract, owned);
      const invitation = await test.step("POST /invitations returns 201 with an invitation id", async () => {
        const created = await createInvitation(contract, owned, tenant.id, { role: "viewer" });
        contract.behaves(
          "invitation-create",
          created.status === "pending",
          `a new invitation is ${created.status}`,
        );
        contract.behaves("invitation-create", created.sentCount === 1, `sentCount is ${created.sentCount}`);
        contract.behaves(
          "invitation-create",
          Date.parse(created.expiresAt) - Date.parse(created.createdAt) === WEEK_MS,
          `expiresAt ${created.expiresAt} is not createdAt + 7 days`,
        );
        return created;
      });

      await test.step("It is readable and listed for its tenant", async () => {
        const [read, page] = await independently(
          contract.ok("invitation-get", { params: { id: invitation.id } }),
          contract.ok("invitation-list", { query: { tenantId: tenant.id } }),
        );
        contract.behaves(
          "invitation-get",
          read.email === invitation.email,
          "the invitation reads back differently",
        );
        contract.behaves(
          "invitation-list",
          page.items.some((item) => item.id === invitation.id),
          "the new invitation is not listed for its tenant",
        );
        contract.behaves(
          "invitation-list",
          page.items.every((item) => item.tenantId === tenant.id),
          "tenantId filter returned other tenants' invitations",
        );
      });

      await test.step("Resend counts and is visible on the next get", async () => {
        const resent = await contract.ok("invitation-resend", { params: { id: invitation.id } });
        contract.behaves(
          "invitation-resend",
          resent.sentCount === 2,
          `sentCount after resend is ${resent.sentCount}`,
        );
        contract.behaves(
          "invitation-resend",
          resent.lastSentAt >= invitation.lastSentAt,
          "lastSentAt went backwards on resend",
        );
        const read = await contract.ok("invitation-get", { params: { id: invitation.id } });
        contract.behaves(
          "invitation-resend",
          read.sentCount === 2,
          `after resend, get says sentCount ${read.sentCount}`,
        );
      });

      await test.step("A cancelled invitation cannot be resent or cancelled again", async () => {
        await contract.transition(
          "invitation-cancel",
          "invitation-get",
          { id: invitation.id },
          "cancelled",
          "cancel",
        );
        await independently(
          contract.fails("invitation-resend", 409, { params: { id: invitation.id } }),
          contract.fails("invitation-cancel", 409, { params: { id: invitation.id } }),
          contract.fails("invitation-resend", 404, { params: { id: UNKNOWN.invitation } }),
          contract.fails("invitation-cancel", 404, { params: { id: UNKNOWN.invitation } }),
        );
      });
    },
  );

  test(
    "create refuses an unknown tenant (404), a deleted tenant (409) and invalid input (400)",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.invitationRoutes],
      operations: ["invitation-create", "delete-tenant"],
    }),
    async ({ contract, owned }) => {
      const body = { email: `${unique("invitee")}@bbws.example`, role: "member", tags: owned.tags };
      const [, tenant] = await independently(
        contract.fails("invitation-create", 404, { body: { ...body, tenantId: UNKNOWN.tenant } }),
        createTenant(contract, owned),
      );
      await contract.fails("invitation-create", 400, {
        body: { ...body, tenantId: tenant.id, role: "owner" },
      });
      await contract.ok("delete-tenant", { params: { id: tenant.id } });
      await contract.fails("invitation-create", 409, { body: { ...body, tenantId: tenant.id } });
    },
  );
});
