/**
 * Post-deploy smoke through the API (tenant runbook 6.3.3 "smoke tests", 7.3.4 "read-only smoke tests"): once
 * the alias has moved, GET /health answers healthy with the version behind the alias and an authenticated
 * GET /tenants answers a page. Read-only, so it runs in PROD as well. The full smoke suite is suites/smoke.
 */
import { z } from "zod";
import { test, verifies } from "../../fixtures/index.ts";
import { HealthSchema } from "../../lib/contract/index.ts";
import { readDeployedFunctions } from "./support/context.ts";
import { type Finding, failed, passed } from "./support/finding.ts";
import { ITEMS } from "./support/items.ts";
import { settle } from "./support/settle.ts";

const PageSchema = z.object({ items: z.array(z.unknown()), nextToken: z.string().nullable() });

test.describe("post-deploy: smoke through the API", () => {
  test(
    "Smoke through the API once the alias has moved: health and an authenticated tenant list",
    verifies(...ITEMS.apiSmoke),
    async ({ api, aws, environment, service }) => {
      const [fn] = await readDeployedFunctions(aws, environment, service);
      const expected = fn?.state.aliased.appVersion ?? "";
      const findings: Finding[] = [];
      findings.push(
        await test.step("GET /health through the API answers 200 healthy with the version behind the alias", async () => {
          const response = await api.request({ method: "GET", path: "/health", auth: "none" });
          const health = HealthSchema.safeParse(response.body);
          const evidence = { status: response.status, body: response.body, expected };
          if (response.status !== 200 || !health.success) {
            return failed(
              `GET ${api.baseUrl}/health answered ${response.status} ${response.text.slice(0, 200)}, not 200 with a Health body.`,
              evidence,
            );
          }
          return health.data.version === expected
            ? passed(`GET /health answered healthy with version ${expected}.`, evidence)
            : failed(
                `GET /health reports version ${health.data.version}, but ${fn?.state.aliasName} serves ${expected}: the API does not reach the deployed alias.`,
                evidence,
              );
        }),
      );
      findings.push(
        await test.step("GET /tenants with the smoke user's token answers a page of tenants", async () => {
          const response = await api.request({ method: "GET", path: "/tenants", query: { limit: 1 } });
          const page = PageSchema.safeParse(response.body);
          const evidence = { status: response.status, body: response.body };
          return response.status === 200 && page.success
            ? passed(`GET /tenants answered 200 with ${page.data.items.length} tenant(s).`, evidence)
            : failed(
                `GET /tenants answered ${response.status} ${response.text.slice(0, 200)}, not 200 with a page of tenants.`,
                evidence,
              );
        }),
      );
      await settle(findings, "API smoke");
    },
  );
});
