/**
 * Post-deploy smoke through HTTP (tenant runbook 6.3.3, 7.3.4, 7.4): GET /health and an authenticated GET /tenants
 * through the API, and GET /health through CloudFront, each judged against the version behind the alias.
 */
import { z } from "zod";
import { HealthSchema } from "../contract/index.ts";
import type { ApiClient } from "../http/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";
import type { FunctionState } from "./lambda.ts";

/** One HTTP answer as plain data: the URL asked, the status, the parsed body (else null or the raw text) and the text. */
export interface HttpAnswer {
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** What a list answers: a page of items and the token of the next page (null on the last). */
const PageSchema = z.object({ items: z.array(z.unknown()), nextToken: z.string().nullable() });

/** GET /health through the API, without a token. */
export async function getApiHealth(api: ApiClient): Promise<HttpAnswer> {
  const response = await api.request({ method: "GET", path: "/health", auth: "none" });
  return { url: `${api.baseUrl}/health`, status: response.status, body: response.body, text: response.text };
}

/** GET /tenants?limit=1 through the API, with the smoke user's token. */
export async function getTenantPage(api: ApiClient): Promise<HttpAnswer> {
  const response = await api.request({ method: "GET", path: "/tenants", query: { limit: 1 } });
  return { url: `${api.baseUrl}/tenants`, status: response.status, body: response.body, text: response.text };
}

/** The health URL of a CloudFront distribution (its base URL with or without a trailing slash). */
export function cloudFrontHealthUrl(cloudFrontUrl: string): string {
  return `${cloudFrontUrl.replace(/\/$/, "")}/health`;
}

/** GET `url` (the CloudFront health URL) with a timeout; the body is parsed JSON, else the raw text. */
export async function getCloudFrontHealth(url: string, timeoutMs: number): Promise<HttpAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  return { url, status: response.status, body: parseJson(text), text };
}

/** Tenant runbook 6.3.3 / 7.3.4: GET /health through the API answers 200 healthy with the version behind the alias. */
export function judgeApiHealth(answer: HttpAnswer, state: FunctionState | undefined): Finding {
  const expected = state?.aliased.appVersion ?? "";
  const health = HealthSchema.safeParse(answer.body);
  const evidence = { status: answer.status, body: answer.body, expected };
  if (answer.status !== 200 || !health.success) {
    return failed(
      `GET ${answer.url} answered ${answer.status} ${answer.text.slice(0, 200)}, not 200 with a Health body.`,
      evidence,
    );
  }
  if (state === undefined) {
    return inconclusive(
      `GET /health answered healthy with version ${health.data.version}, but no alias of the service was read to compare it with.`,
      evidence,
    );
  }
  return health.data.version === expected
    ? passed(`GET /health answered healthy with version ${expected}.`, evidence)
    : failed(
        `GET /health reports version ${health.data.version}, but ${state.aliasName} serves ${expected}: the API does not reach the deployed alias.`,
        evidence,
      );
}

/** Tenant runbook 6.3.3 / 7.3.4: the authenticated GET /tenants answers 200 with a page of tenants. */
export function judgeTenantPage(answer: HttpAnswer): Finding {
  const page = PageSchema.safeParse(answer.body);
  const evidence = { status: answer.status, body: answer.body };
  return answer.status === 200 && page.success
    ? passed(`GET /tenants answered 200 with ${page.data.items.length} tenant(s).`, evidence)
    : failed(
        `GET /tenants answered ${answer.status} ${answer.text.slice(0, 200)}, not 200 with a page of tenants.`,
        evidence,
      );
}

/** Tenant runbook 7.3.4 / 7.4: CloudFront's GET /health answers 200 healthy with the version behind the alias. */
export function judgeCloudFrontHealth(answer: HttpAnswer, state: FunctionState | undefined): Finding {
  const { url, text } = answer;
  const expected = state?.aliased.appVersion ?? "";
  const health = HealthSchema.safeParse(answer.body);
  const evidence = { url, status: answer.status, body: text.slice(0, 2000), expected };
  if (answer.status !== 200 || !health.success) {
    return failed(
      `GET ${url} answered ${answer.status} ${text.slice(0, 200)}, not 200 with a Health body.`,
      evidence,
    );
  }
  if (state === undefined) {
    return inconclusive(
      `CloudFront (${url}) serves version ${health.data.version}, but no alias of the service was read to compare it with.`,
      evidence,
    );
  }
  return health.data.version === expected
    ? passed(`CloudFront (${url}) serves version ${expected}.`, evidence)
    : failed(
        `CloudFront (${url}) serves version ${health.data.version}, but ${state.aliasName} is on ${expected}: the distribution does not reach the new deployment (a stale cache or origin).`,
        evidence,
      );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
