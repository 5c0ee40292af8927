import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  cloudFrontHealthUrl,
  type HttpAnswer,
  judgeApiHealth,
  judgeCloudFrontHealth,
  judgeTenantPage,
} from "../../lib/checks/api.ts";
import type { FunctionState } from "../../lib/checks/lambda.ts";
import { functionState } from "./lambda-state.ts";

const baseUrl = "https://api.sit.example.test/v1";
const health = {
  status: "healthy",
  version: "1.5.0",
  service: "tenant-instance-management",
  environment: "sit",
  timestamp: "2026-11-22T06:00:00.000Z",
};

const served: FunctionState = functionState("bbws-tenant-instance-management-sit", "latest-sit");

function answer(status: number, body: unknown, url = `${baseUrl}/health`): HttpAnswer {
  return { url, status, body, text: typeof body === "string" ? body : JSON.stringify(body) };
}

describe("judgeApiHealth", () => {
  test("200 healthy with the version behind the alias passes", () => {
    const finding = judgeApiHealth(answer(200, health), served);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "GET /health answered healthy with version 1.5.0.");
    assert.deepEqual(finding.evidence, { status: 200, body: health, expected: "1.5.0" });
  });

  test("another version fails: the API does not reach the deployed alias", () => {
    const finding = judgeApiHealth(answer(200, { ...health, version: "1.4.0" }), served);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "GET /health reports version 1.4.0, but latest-sit serves 1.5.0: the API does not reach the deployed alias.",
    );
  });

  test("a status other than 200 fails with the start of the answer", () => {
    const finding = judgeApiHealth(answer(502, "x".repeat(300)), served);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `GET ${baseUrl}/health answered 502 ${"x".repeat(200)}, not 200 with a Health body.`,
    );
  });

  test("200 without a Health body fails (no body at all, or one outside the contract)", () => {
    const empty: HttpAnswer = { url: `${baseUrl}/health`, status: 200, body: null, text: "" };
    assert.equal(
      judgeApiHealth(empty, served).reason,
      `GET ${baseUrl}/health answered 200 , not 200 with a Health body.`,
    );
    assert.equal(judgeApiHealth(answer(200, { ...health, extra: true }), served).status, "failed");
    assert.equal(judgeApiHealth(answer(200, { ...health, status: "degraded" }), served).status, "failed");
  });

  test("no alias read: a healthy answer is inconclusive, nothing to compare its version with", () => {
    const finding = judgeApiHealth(answer(200, health), undefined);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      "GET /health answered healthy with version 1.5.0, but no alias of the service was read to compare it with.",
    );
    assert.equal(judgeApiHealth(answer(500, "boom"), undefined).status, "failed");
  });
});

describe("judgeTenantPage", () => {
  const tenants = (body: unknown, status = 200) => answer(status, body, `${baseUrl}/tenants`);

  test("200 with a page passes, counting the tenants", () => {
    const finding = judgeTenantPage(tenants({ items: [{ tenantId: "t-1" }], nextToken: "abc" }));
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "GET /tenants answered 200 with 1 tenant(s).");
  });

  test("boundary: an empty last page is still a page", () => {
    const finding = judgeTenantPage(tenants({ items: [], nextToken: null }));
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "GET /tenants answered 200 with 0 tenant(s).");
  });

  test("401 fails with the answer", () => {
    const body = { code: "Unauthorized", message: "missing token" };
    const finding = judgeTenantPage(tenants(body, 401));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `GET /tenants answered 401 ${JSON.stringify(body)}, not 200 with a page of tenants.`,
    );
    assert.deepEqual(finding.evidence, { status: 401, body });
  });

  test("200 without a page fails (no body, or no nextToken)", () => {
    assert.equal(
      judgeTenantPage({ url: `${baseUrl}/tenants`, status: 200, body: null, text: "" }).status,
      "failed",
    );
    assert.equal(judgeTenantPage(tenants({ items: [] })).status, "failed");
  });
});

describe("judgeCloudFrontHealth", () => {
  const url = "https://d111111abcdef8.cloudfront.example.test/health";
  const cf = (status: number, body: unknown) => answer(status, body, url);

  test("CloudFront serving the version behind the alias passes", () => {
    const finding = judgeCloudFrontHealth(cf(200, health), served);
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, `CloudFront (${url}) serves version 1.5.0.`);
    assert.deepEqual(finding.evidence, {
      url,
      status: 200,
      body: JSON.stringify(health),
      expected: "1.5.0",
    });
  });

  test("a stale version fails, naming the cache or origin", () => {
    const finding = judgeCloudFrontHealth(cf(200, { ...health, version: "1.4.0" }), served);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `CloudFront (${url}) serves version 1.4.0, but latest-sit is on 1.5.0: the distribution does not reach the new deployment (a stale cache or origin).`,
    );
  });

  test("an error page fails with its start; the evidence keeps 2000 characters", () => {
    const page = `<html>${"e".repeat(3000)}</html>`;
    const finding = judgeCloudFrontHealth(cf(403, page), served);
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `GET ${url} answered 403 ${page.slice(0, 200)}, not 200 with a Health body.`,
    );
    assert.equal((finding.evidence.body as string).length, 2000);
  });

  test("no alias read: a healthy answer is inconclusive", () => {
    const finding = judgeCloudFrontHealth(cf(200, health), undefined);
    assert.equal(finding.status, "inconclusive");
    assert.equal(
      finding.reason,
      `CloudFront (${url}) serves version 1.5.0, but no alias of the service was read to compare it with.`,
    );
  });
});

describe("cloudFrontHealthUrl", () => {
  test("appends /health with or without a trailing slash", () => {
    assert.equal(cloudFrontHealthUrl("https://cdn.example.test"), "https://cdn.example.test/health");
    assert.equal(cloudFrontHealthUrl("https://cdn.example.test/"), "https://cdn.example.test/health");
  });
});
