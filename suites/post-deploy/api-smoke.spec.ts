/**
 * Post-deploy smoke through the API (tenant runbook 6.3.3 "smoke tests", 7.3.4 "read-only smoke tests"): once
 * the alias has moved, GET /health answers healthy with the version behind the alias and an authenticated
 * GET /tenants answers a page; in PROD, CloudFront serves the new version (7.3.4). Read-only, so it runs in PROD
 * as well. The full smoke suite is suites/smoke.
 */
import {
  applicableItems,
  cloudFrontHealthUrl,
  getApiHealth,
  getCloudFrontHealth,
  getTenantPage,
  POST_DEPLOY_ITEMS as ITEMS,
  judgeApiHealth,
  judgeCloudFrontHealth,
  judgeTenantPage,
  markInconclusive,
  notApplicable,
  settle,
  test,
  verifies,
} from "../../fixtures/index.ts";

test.describe("post-deploy: smoke through the API", () => {
  test(
    "Smoke through the API once the alias has moved: health and an authenticated tenant list",
    verifies(...ITEMS.apiSmoke),
    async ({ deployedFunctions, api }) => {
      const [fn] = await deployedFunctions();
      const health =
        await test.step("GET /health through the API answers 200 healthy with the version behind the alias", async () =>
          judgeApiHealth(await getApiHealth(api), fn?.state));
      const tenants =
        await test.step("GET /tenants with the smoke user's token answers a page of tenants", async () =>
          judgeTenantPage(await getTenantPage(api)));
      await settle([health, tenants], "API smoke");
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
      const url = cloudFrontHealthUrl(environment.cloudFrontUrl);
      const finding = await test.step(`GET ${url} answers healthy with version ${expected}`, async () =>
        judgeCloudFrontHealth(await getCloudFrontHealth(url, environment.http.timeoutMs), fn?.state));
      await settle([finding], "CloudFront");
    },
  );
});
