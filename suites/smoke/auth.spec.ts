/**
 * Tenant runbook 1.2 and 5.2: every route that needs a token refuses a request without one with 401. One
 * table over the contract's operations (lib/contract), so an operation added there is checked here without new
 * test code. The mutating rows send unknown ids and empty bodies, so even a route that let them through could
 * change nothing; PROD runs the read-only rows only.
 */
import { authCases, independently, smoke, TAGS, test } from "../../fixtures/index.ts";

const cases = authCases();
const groups = [...new Set(cases.map((row) => row.group))];

// One test per resource group and kind, so a route that lets a request through fails its own runbook item.
for (const group of groups) {
  for (const mutating of [false, true]) {
    const rows = cases.filter((row) => row.group === group && row.mutating === mutating);
    if (rows.length === 0) continue;
    test(
      `${group}: every ${mutating ? "mutating" : "read-only"} route refuses a request without a token with 401`,
      smoke({
        tags: [mutating ? TAGS.mutating : TAGS.readonly],
        verifies: [...new Set(rows.flatMap((row) => row.items))],
        operations: rows.map((row) => row.id),
      }),
      async ({ contract }) => {
        // A refusal changes nothing, so the rows go side by side.
        await independently(
          ...rows.map((row) =>
            contract.fails(row.id, 401, {
              params: row.params,
              ...(row.body === undefined ? {} : { body: row.body }),
              auth: "none",
            }),
          ),
        );
      },
    );
  }
}
