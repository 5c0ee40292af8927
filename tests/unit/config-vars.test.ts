import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { overrideTableMarkdown, overrideVariables } from "../../lib/config/index.ts";

test("every override variable is unique and the brief's examples exist with the right paths", () => {
  const variables = overrideVariables();
  assert.equal(new Set(variables.map((v) => v.variable)).size, variables.length);
  const byName = new Map(variables.map((v) => [v.variable, v]));
  const expected: Record<string, [string, string]> = {
    HARNESS_SIT_API_URL: ["environments.sit.apiUrl", "string"],
    HARNESS_DEV_COGNITO_USER_POOL_ID: ["environments.dev.cognito.userPoolId", "string or null"],
    HARNESS_DEV_COGNITO_CLIENT_ID: ["environments.dev.cognito.clientId", "string or null"],
    HARNESS_PROD_AWS_PROFILE: ["environments.prod.awsProfile", "string (optional)"],
    HARNESS_DEV_ACCOUNT_ID: ["environments.dev.accountId", "string"],
    HARNESS_SIT_MONITORING_WINDOW_SECONDS: ["environments.sit.monitoring.windowSeconds", "number"],
    HARNESS_DEV_HTTP_TIMEOUT_MS: ["environments.dev.http.timeoutMs", "integer"],
    HARNESS_PROD_POLICY_READ_ONLY: ["environments.prod.policy.readOnly", "boolean"],
  };
  for (const [name, [path, type]] of Object.entries(expected)) {
    assert.deepEqual([byName.get(name)?.path, byName.get(name)?.type], [path, type], name);
  }
  assert.ok(!byName.has("HARNESS_SIT_ID"), "id is fixed");
  assert.ok(!byName.has("HARNESS_SIT_PROMOTED_FROM"), "promotedFrom is fixed");
});

/** Cell contents only: the formatter pads Markdown tables, which changes nothing a reader sees. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split("\n")
    .map((line) =>
      line
        .split("|")
        .map((cell) => cell.trim())
        .map((cell) => (/^-+$/.test(cell) ? "---" : cell)),
    );
}

test("lib/config/README.md carries the generated variable table", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../lib/config/README.md"), "utf8");
  const match = /<!-- config-vars:start -->\n([\s\S]*?)\n<!-- config-vars:end -->/.exec(readme);
  assert.ok(match, "README keeps the config-vars markers");
  assert.deepEqual(
    cells(match[1] ?? ""),
    cells(overrideTableMarkdown()),
    "README table is stale: paste `npm run runbook -- config-vars --markdown` between the markers",
  );
});
