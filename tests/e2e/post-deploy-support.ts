/**
 * What only the post-deploy suite's end-to-end tests (tests/e2e/post-deploy-*.test.ts) need besides
 * ./support.ts: promotions in the runbook's order, steady background traffic for the monitoring window to
 * judge, and moving an alias by hand. Not a test file itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InvokeCommand, UpdateAliasCommand } from "@aws-sdk/client-lambda";
import type { WindowTraffic } from "../../lib/monitor/index.ts";
import type { EnvironmentId } from "../../runbooks/index.ts";
import type { SandboxHandle } from "../../sandbox/index.ts";
import { runSuite, type SuiteRunOptions, type TestSandbox, type VerifyRun } from "./support.ts";

type DeployRequest = Parameters<SandboxHandle["deploy"]>[0];
type DeployResult = Awaited<ReturnType<SandboxHandle["deploy"]>>;

/**
 * A promotion as the runbook plays it: the build goes to the source environment first (SIT's is DEV, PROD's
 * is SIT, itself recorded as promoted from DEV), then the same version to `to.env`, recorded as promoted from
 * there. `to` carries the target's fault or options; `source` what the source deploy gets besides.
 */
export async function promote(
  box: TestSandbox,
  to: DeployRequest & { env: "sit" | "prod"; appVersion: string },
  source: Omit<DeployRequest, "env" | "appVersion" | "service"> = {},
): Promise<DeployResult> {
  const from = to.env === "sit" ? "dev" : "sit";
  await box.sandbox.deploy({
    env: from,
    appVersion: to.appVersion,
    ...(to.service ? { service: to.service } : {}),
    ...(from === "sit" ? { sourceEnvironment: "dev" } : {}),
    ...source,
  });
  return box.sandbox.deploy({ ...to, sourceEnvironment: from });
}

/** Steady traffic: `call` every `everyMs` until stopped; returns how many calls ran. */
export function steadyTraffic(
  call: (n: number) => Promise<unknown>,
  everyMs = 50,
): { stop(): Promise<number> } {
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      await call(n++).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return n;
    },
  };
}

/**
 * `npm run verify -- --suite post-deploy --sandbox ...` while `call` runs every `everyMs` ms (default: a
 * tenant API user's GET /health and GET /tenants every 50 ms): the monitoring window judges the traffic it
 * sees, as it would on a live estate.
 */
export function runUnderTraffic(
  box: TestSandbox,
  options: Omit<SuiteRunOptions, "suite">,
  traffic: { call?: (n: number) => Promise<unknown>; everyMs?: number } = {},
): Promise<VerifyRun> {
  const running = steadyTraffic(traffic.call ?? healthAndTenants(box, options.env), traffic.everyMs);
  return runSuite(box, { ...options, suite: "post-deploy" }).finally(() => running.stop());
}

/** Traffic of a user of the tenant API: GET /health and GET /tenants (401 without a token) in turn. */
export function healthAndTenants(box: TestSandbox, env: EnvironmentId): (n: number) => Promise<number> {
  return (n) => apiGet(box, env, n % 2 === 0 ? "/health" : "/tenants");
}

/** GET through an environment's API front (each request is an alias invoke with metrics and logs). */
export function apiGet(box: TestSandbox, env: EnvironmentId, path: string): Promise<number> {
  return fetch(`${box.sandbox.endpoints.environments[env].apiUrl}${path}`).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

/** Invokes `functionName:alias` directly with an API Gateway proxy event. */
export async function invokeRoute(
  box: TestSandbox,
  env: EnvironmentId,
  functionName: string,
  alias: string,
  method: string,
  path: string,
): Promise<void> {
  await box.lambda(env).send(
    new InvokeCommand({
      FunctionName: functionName,
      Qualifier: alias,
      Payload: new TextEncoder().encode(JSON.stringify({ httpMethod: method, path, headers: {} })),
    }),
  );
}

/** Moves an alias without deploying (the "alias on the wrong version" fault). */
export async function pointAlias(
  box: TestSandbox,
  env: EnvironmentId,
  functionName: string,
  alias: string,
  version: string,
): Promise<void> {
  await box
    .lambda(env)
    .send(new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: version }));
}

/**
 * The monitoring window's own traffic as a run's verdict evidence holds it: the `synthetic traffic` attachment
 * of an item's test (one entry per function), read from the run folder.
 */
export function syntheticTrafficOf(
  run: VerifyRun,
  itemId: string,
): Array<WindowTraffic & { functionName: string }> {
  const item = run.verdict?.items.find((i) => i.id === itemId);
  const file = item?.evidence.find((path) => /synthetic_traffic/.test(path));
  if (file === undefined) return [];
  return JSON.parse(readFileSync(join(run.runDir, file), "utf8"));
}

/**
 * A post-deploy window still open once the suite is up on a busy machine (24 s polled every 4 s, where the e2e
 * runs' usual 3 s has closed before the first poll: "late"), so the window itself can drive traffic into it;
 * SIT's real 30 s window behaves the same (measured at about 31 s a run).
 */
export const LIVE_SIT_WINDOW = {
  HARNESS_SIT_MONITORING_WINDOW_SECONDS: "24",
  HARNESS_SIT_MONITORING_INTERVAL_SECONDS: "4",
} as const;
