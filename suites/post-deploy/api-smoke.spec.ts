/**
 * Post-deploy smoke through the API (tenant runbook 6.3.3 "smoke tests", 7.3.4 "read-only smoke tests"): once
 * the alias has moved, GET /health answers healthy with the version behind the alias and an authenticated
 * GET /tenants answers a page; in PROD, CloudFront serves the new version (7.3.4). Read-only, so it runs in PROD
 * as well. The full smoke suite is suites/smoke.
 */
import { z } from "zod";
import {
  applicableItems,
  type Finding,
  failed,
  HealthSchema,
  POST_DEPLOY_ITEMS as ITEMS,
  markInconclusive,
  notApplicable,
  passed,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

const PageSchema = z.object({ items: z.array(z.unknown()), nextToken: z.string().nullable() });

test.describe("post-deploy: smoke through the API", () => {
  test(
    "Smoke through the API once the alias has moved: health and an authenticated tenant list",
    verifies(...ITEMS.apiSmoke),
    async ({ deployedFunctions, api }) => {
      const [fn] = await deployedFunctions();
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

  test(
    "CloudFront serves the new version (GET /health on the CloudFront URL)",
    verifies(...ITEMS.cloudFront),
    async ({ deployedFunctions, environment, service }) => {
      if (
        applicableItems(ITEMS.cloudFront, service.id, environment.id).length === 0 ||
        environment.cloudFrontUrl === null
      ) {
        notApplicable(`${environment.displayName} has no CloudFront distribution in the runbook.`);
      }
      if (environment.cloudFrontUrl === "TBD") {
        markInconclusive(
          `${environment.displayName}'s CloudFront URL is TBD, so the distribution cannot be checked. Set HARNESS_${environment.id.toUpperCase()}_CLOUD_FRONT_URL.`,
        );
      }
      const [fn] = await deployedFunctions();
      const expected = fn?.state.aliased.appVersion ?? "";
      const url = `${environment.cloudFrontUrl.replace(/\/$/, "")}/health`;
      const finding = await test.step(`GET ${url} answers healthy with version ${expected}`, async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(environment.http.timeoutMs) });
        const text = await response.text();
        const health = HealthSchema.safeParse(parseJson(text));
        const evidence = { url, status: response.status, body: text.slice(0, 2000), expected };
        if (response.status !== 200 || !health.success) {
          return failed(
            `GET ${url} answered ${response.status} ${text.slice(0, 200)}, not 200 with a Health body.`,
            evidence,
          );
        }
        return health.data.version === expected
          ? passed(`CloudFront (${url}) serves version ${expected}.`, evidence)
          : failed(
              `CloudFront (${url}) serves version ${health.data.version}, but ${fn?.state.aliasName} is on ${expected}: the distribution does not reach the new deployment (a stale cache or origin).`,
              evidence,
            );
      });
      await settle([finding], "CloudFront");
    },
  );
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
