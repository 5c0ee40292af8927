import {
  createInstance,
  createTenant,
  SMOKE_ITEMS as ITEMS,
  independently,
  newestFirst,
  noteNothingToRead,
  SETTLED_SCAN_LIMIT,
  settledTenants,
  smoke,
  TAGS,
  test,
  UNKNOWN,
  unique,
} from "../../fixtures/index.ts";

test.describe("instances", () => {
  test(
    "instances of an existing tenant are listed and readable; unknown ids are 404",
    smoke({
      tags: [TAGS.readonly],
      verifies: [ITEMS.instanceRoutes],
      operations: ["list-tenants", "list-instances", "get-instance"],
    }),
    async ({ contract }) => {
      const tenants = await contract.ok("list-tenants", { query: { limit: SETTLED_SCAN_LIMIT } });
      const settled = settledTenants(tenants.items).slice(0, 2);
      if (settled.length === 0) noteNothingToRead("tenant");
      for (const tenant of settled) {
        const page = await contract.ok("list-instances", { params: { id: tenant.id }, query: { limit: 5 } });
        contract.behaves(
          "list-instances",
          page.items.every((instance) => instance.tenantId === tenant.id),
          `the instances of ${tenant.id} include another tenant's`,
        );
        const first = page.items[0];
        if (first !== undefined) {
          const instance = await contract.ok("get-instance", { params: { id: first.id } });
          contract.behaves(
            "get-instance",
            instance.id === first.id,
            `asked for ${first.id}, got ${instance.id}`,
          );
        }
      }
      await independently(
        contract.fails("get-instance", 404, { params: { id: UNKNOWN.instance } }),
        contract.fails("list-instances", 404, { params: { id: UNKNOWN.tenant } }),
      );
    },
  );

  test(
    "create, get, list, update, scale, suspend, resume and delete an instance",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.instanceRoutes, ITEMS.scaleInstance],
      operations: [
        "create-instance",
        "get-instance",
        "list-instances",
        "update-instance",
        "scale-instance",
        "instance-suspend",
        "instance-resume",
        "delete-instance",
      ],
    }),
    async ({ contract, owned }) => {
      const tenant = await createTenant(contract, owned);
      const instance = await test.step("Create an instance under the tenant", async () => {
        const created = await createInstance(contract, owned, tenant.id);
        contract.behaves(
          "create-instance",
          created.status === "running",
          `a new instance is ${created.status}`,
        );
        contract.behaves(
          "create-instance",
          created.tenantId === tenant.id,
          "the instance names another tenant",
        );
        contract.behaves(
          "create-instance",
          created.wordpressVersion === "6.5.2",
          `the default WordPress version is ${created.wordpressVersion}`,
        );
        return created;
      });

      await test.step("It is readable and listed under its tenant", async () => {
        const [read, page] = await independently(
          contract.ok("get-instance", { params: { id: instance.id } }),
          contract.ok("list-instances", { params: { id: tenant.id } }),
        );
        contract.behaves(
          "get-instance",
          read.name === instance.name,
          "the created instance reads back differently",
        );
        const ids = page.items.map((item) => item.id);
        contract.behaves("list-instances", ids.includes(instance.id), "the new instance is not listed");
        contract.behaves("list-instances", newestFirst(ids), "instances are not newest first");
      });

      await test.step("An update is visible on the next get", async () => {
        const name = unique("smoke-site-renamed");
        const updated = await contract.ok("update-instance", {
          params: { id: instance.id },
          body: { name, wordpressVersion: "6.6.1" },
        });
        contract.behaves("update-instance", updated.name === name, "update not applied");
        // An update without fields is refused and changes nothing, so it goes beside the read.
        const [read] = await independently(
          contract.ok("get-instance", { params: { id: instance.id } }),
          contract.fails("update-instance", 400, { params: { id: instance.id }, body: {} }),
        );
        contract.behaves(
          "update-instance",
          read.name === name,
          `after the update, get says name ${read.name}`,
        );
        contract.behaves(
          "update-instance",
          read.wordpressVersion === "6.6.1",
          "the version update is not visible",
        );
      });

      await test.step("Scaling changes the size", async () => {
        const scaled = await contract.ok("scale-instance", {
          params: { id: instance.id },
          body: { size: "large" },
        });
        contract.behaves("scale-instance", scaled.size === "large", `scale answered size ${scaled.size}`);
        const [read] = await independently(
          contract.ok("get-instance", { params: { id: instance.id } }),
          contract.fails("scale-instance", 400, { params: { id: instance.id }, body: { size: "huge" } }),
        );
        contract.behaves(
          "scale-instance",
          read.size === "large",
          `after scaling, get says size ${read.size}`,
        );
      });

      await test.step("Suspend and resume; invalid transitions are 409", async () => {
        await contract.transition(
          "instance-suspend",
          "get-instance",
          { id: instance.id },
          "suspended",
          "suspend",
        );
        await independently(
          contract.fails("instance-suspend", 409, { params: { id: instance.id } }),
          contract.fails("scale-instance", 409, { params: { id: instance.id }, body: { size: "small" } }),
        );
        await contract.transition(
          "instance-resume",
          "get-instance",
          { id: instance.id },
          "running",
          "resume",
        );
        await contract.fails("instance-resume", 409, { params: { id: instance.id } });
      });

      await test.step("Delete removes it: 204, then 404", async () => {
        await contract.ok("delete-instance", { params: { id: instance.id } });
        await independently(
          contract.fails("get-instance", 404, { params: { id: instance.id } }),
          contract.fails("delete-instance", 404, { params: { id: instance.id } }),
        );
      });
    },
  );

  test(
    "a restored instance reflects its backup",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.instanceRoutes],
      operations: [
        "instance-backup",
        "instance-restore",
        "get-instance",
        "update-instance",
        "scale-instance",
      ],
    }),
    async ({ contract, owned }) => {
      const tenant = await createTenant(contract, owned);
      const instance = await createInstance(contract, owned, tenant.id, {
        size: "medium",
        wordpressVersion: "6.4.3",
      });

      const backup = await test.step("Back up the instance", async () => {
        const made = await contract.ok("instance-backup", {
          params: { id: instance.id },
          body: { label: "smoke" },
        });
        contract.behaves(
          "instance-backup",
          made.instanceId === instance.id,
          "the backup names another instance",
        );
        contract.behaves(
          "instance-backup",
          made.snapshot.name === instance.name &&
            made.snapshot.size === "medium" &&
            made.snapshot.wordpressVersion === "6.4.3",
          `the snapshot ${JSON.stringify(made.snapshot)} does not match the instance`,
        );
        const read = await contract.ok("get-instance", { params: { id: instance.id } });
        contract.behaves(
          "instance-backup",
          read.lastBackupId === made.id,
          `lastBackupId is ${read.lastBackupId}`,
        );
        return made;
      });

      await test.step("Change the instance after the backup", async () => {
        await contract.ok("update-instance", {
          params: { id: instance.id },
          body: { name: unique("smoke-changed"), wordpressVersion: "6.6.1" },
        });
        await contract.ok("scale-instance", { params: { id: instance.id }, body: { size: "large" } });
      });

      await test.step("Restore brings back the snapshot's name, size and version", async () => {
        const restored = await contract.ok("instance-restore", {
          params: { id: instance.id },
          body: { backupId: backup.id },
        });
        const read = await contract.ok("get-instance", { params: { id: instance.id } });
        for (const view of [restored, read]) {
          contract.behaves(
            "instance-restore",
            view.name === instance.name && view.size === "medium" && view.wordpressVersion === "6.4.3",
            `after restore the instance is ${view.name}/${view.size}/${view.wordpressVersion}, the backup holds ${instance.name}/medium/6.4.3`,
          );
          contract.behaves(
            "instance-restore",
            view.lastRestoredBackupId === backup.id,
            `lastRestoredBackupId is ${view.lastRestoredBackupId}`,
          );
        }
        await independently(
          contract.fails("instance-restore", 404, {
            params: { id: instance.id },
            body: { backupId: UNKNOWN.backup },
          }),
          contract.fails("instance-restore", 400, { params: { id: instance.id }, body: {} }),
          contract.fails("instance-backup", 404, { params: { id: UNKNOWN.instance } }),
        );
      });
    },
  );

  test(
    "create refuses an unknown tenant (404), a parked tenant (409) and invalid input (400)",
    smoke({
      tags: [TAGS.mutating],
      verifies: [ITEMS.instanceRoutes],
      operations: ["create-instance", "tenant-park"],
    }),
    async ({ contract, owned }) => {
      const body = { name: unique("smoke-site"), size: "small", tags: owned.tags };
      const [, tenant] = await independently(
        contract.fails("create-instance", 404, { params: { id: UNKNOWN.tenant }, body }),
        createTenant(contract, owned),
      );
      await contract.fails("create-instance", 400, {
        params: { id: tenant.id },
        body: { ...body, size: "xl" },
      });
      await contract.ok("tenant-park", { params: { id: tenant.id } });
      await contract.fails("create-instance", 409, { params: { id: tenant.id }, body });
    },
  );
});
