import {
  createTenant,
  SMOKE_ITEMS as ITEMS,
  independently,
  smoke,
  TAGS,
  test,
  UNKNOWN,
} from "../../fixtures/index.ts";

test.describe("hierarchy", () => {
  test(
    "set parents and children, and refuse a cycle with 409",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.hierarchyRoute],
      operations: ["hierarchy-manage", "get-tenant", "create-tenant"],
    }),
    async ({ contract, owned }) => {
      const [root, middle, leaf] = await test.step("Create three tenants", () =>
        Promise.all([
          createTenant(contract, owned),
          createTenant(contract, owned),
          createTenant(contract, owned),
        ]));

      await test.step("Link root <- middle <- leaf", async () => {
        const middleView = await contract.ok("hierarchy-manage", {
          params: { id: middle.id },
          body: { parentId: root.id },
        });
        contract.behaves(
          "hierarchy-manage",
          middleView.parentId === root.id,
          `middle's parent is ${middleView.parentId}`,
        );
        const leafView = await contract.ok("hierarchy-manage", {
          params: { id: leaf.id },
          body: { parentId: middle.id },
        });
        contract.behaves(
          "hierarchy-manage",
          leafView.parentId === middle.id,
          `leaf's parent is ${leafView.parentId}`,
        );
        const read = await contract.ok("get-tenant", { params: { id: leaf.id } });
        contract.behaves(
          "hierarchy-manage",
          read.parentId === middle.id,
          `after linking, get says parent ${read.parentId}`,
        );
      });

      await test.step("The parent lists its children", async () => {
        const rootView = await contract.ok("hierarchy-manage", {
          params: { id: root.id },
          body: { parentId: null },
        });
        contract.behaves(
          "hierarchy-manage",
          rootView.parentId === null &&
            rootView.childIds.includes(middle.id) &&
            !rootView.childIds.includes(leaf.id),
          `root's hierarchy is ${JSON.stringify(rootView)}; expected exactly its direct child ${middle.id}`,
        );
      });

      await test.step("A cycle is refused", async () => {
        await independently(
          contract.fails("hierarchy-manage", 409, {
            params: { id: root.id },
            body: { parentId: leaf.id },
          }),
          contract.fails("hierarchy-manage", 409, {
            params: { id: root.id },
            body: { parentId: root.id },
          }),
        );
        const read = await contract.ok("get-tenant", { params: { id: root.id } });
        contract.behaves(
          "hierarchy-manage",
          read.parentId === null,
          "a refused cycle still changed the parent",
        );
      });

      await test.step("Unknown tenants and bad bodies", async () => {
        await independently(
          contract.fails("hierarchy-manage", 404, {
            params: { id: UNKNOWN.tenant },
            body: { parentId: null },
          }),
          contract.fails("hierarchy-manage", 404, {
            params: { id: leaf.id },
            body: { parentId: UNKNOWN.tenant },
          }),
          contract.fails("hierarchy-manage", 400, { params: { id: leaf.id }, body: {} }),
        );
      });

      await test.step("Detach the leaf", async () => {
        const detached = await contract.ok("hierarchy-manage", {
          params: { id: leaf.id },
          body: { parentId: null },
        });
        contract.behaves("hierarchy-manage", detached.parentId === null, "detaching left a parent");
      });
    },
  );
});
