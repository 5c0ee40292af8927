/**
 * Benchmark: the smoke suite's wall time next to a sequential replay of the same HTTP requests with
 * plain undici (built from the run's requests.jsonl), at 0 ms and 100 ms injected API latency.
 * Targets (issue 4): suite/replay ratio <= 1.0 at 100 ms; suite wall <= 6 s at 0 ms on 2 cores.
 * Runnable alone: `npx tsx scripts/bench/smoke-replay.ts`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { Agent, request } from "undici";
import { CognitoTokenSource } from "../../lib/aws/index.ts";
import { parseRequestLog, type RequestLogEntry } from "../../lib/http/index.ts";
import { createRunId, RUN_LAYOUT, runDirFor, runVerifyChild } from "../../lib/run/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";

const latencies = [0, 100] as const;

export interface SmokeReplayPoint {
  apiLatencyMs: number;
  /** The Playwright run's own wall time (JUnit total: runner start-up, workers, tests). */
  suiteMs: number;
  /** Wall time of the whole `verify` process (adds the runner script, config, verdict). */
  verifyMs: number;
  /** The same requests, one after another, with plain undici on one keep-alive connection. */
  replayMs: number;
  requests: number;
  /** suiteMs / replayMs: below 1 means the suite's parallel flows beat a sequential replay. */
  ratio: number;
  passed: boolean;
}

export interface SmokeReplayBench {
  points: SmokeReplayPoint[];
  targets: { ratioAt100Ms: number; suiteWallAt0MsMs: number };
  meetsTargets: boolean;
}

const TARGETS = { ratioAt100Ms: 1.0, suiteWallAt0MsMs: 6_000 };

/** One smoke run on DEV against the bench's sandbox, in the run folder of `runId`. */
async function runVerify(
  stateDir: string,
  runId: string,
): Promise<{ code: number | null; wallMs: number; output: string }> {
  const run = await runVerifyChild({
    args: ["--env", "dev", "--suite", "smoke", "--sandbox"],
    runId,
    env: { ...process.env, HARNESS_SANDBOX_DIR: stateDir },
  });
  return { code: run.code, wallMs: run.wallMs, output: `${run.stdout}${run.stderr}` };
}

/** Total time of the run as Playwright's JUnit report states it (`<testsuites ... time="s">`). */
function junitTotalMs(runDir: string): number {
  const file = join(runDir, RUN_LAYOUT.junit);
  const match = existsSync(file)
    ? /<testsuites\b[^>]*\btime="([\d.]+)"/.exec(readFileSync(file, "utf8"))
    : null;
  if (match?.[1] === undefined)
    throw new Error(`The run wrote no JUnit total time in ${file}; see its output.`);
  return Math.round(Number(match[1]) * 1000);
}

/** Replays logged requests one by one, in the order they started; returns the wall time. */
async function replay(entries: RequestLogEntry[], token: string): Promise<number> {
  const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
  const ordered = entries
    .filter((entry) => entry.status !== null)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.seq - b.seq);
  try {
    const started = performance.now();
    for (const entry of ordered) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (entry.requestBody !== null) headers["content-type"] = "application/json";
      // An explicit token in the log was a forged one on purpose; the log keeps no secret to reuse.
      if (entry.auth === "token") headers.authorization = `Bearer ${token}`;
      else if (entry.auth === "explicit") headers.authorization = "Bearer forged";
      const response = await request(entry.url, {
        method: entry.method,
        headers,
        body: entry.requestBody,
        dispatcher: agent,
      });
      await response.body.dump();
    }
    return performance.now() - started;
  } finally {
    await agent.close();
  }
}

async function smokeUserToken(sandbox: SandboxHandle): Promise<string> {
  const dev = sandbox.endpoints.environments.dev;
  const client = new CognitoIdentityProviderClient({
    region: dev.region,
    endpoint: sandbox.endpoints.awsEndpoint,
    credentials: { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey },
  });
  try {
    return await new CognitoTokenSource({
      client,
      environment: "dev",
      clientId: () => dev.cognito.clientId,
      usernameVar: "BENCH_USER",
      passwordVar: "BENCH_PASSWORD",
      env: { BENCH_USER: dev.cognito.smokeUser.username, BENCH_PASSWORD: dev.cognito.smokeUser.password },
    }).get();
  } finally {
    client.destroy();
  }
}

/** Runs the smoke suite on a fresh sandbox at 0 and 100 ms API latency and replays its requests sequentially. */
export async function benchSmoke(): Promise<SmokeReplayBench> {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const runDirs: string[] = [];
  try {
    const token = await smokeUserToken(sandbox);
    // One unmeasured run first: the function's cold start and the disk caches are not the suite's cost.
    const warmId = createRunId("dev", "smoke");
    runDirs.push(runDirFor(warmId));
    await runVerify(stateDir, warmId);
    const points: SmokeReplayPoint[] = [];
    for (const apiLatencyMs of latencies) {
      await sandbox.setApiLatency(apiLatencyMs);
      const runId = createRunId("dev", "smoke");
      const runDir = runDirFor(runId);
      runDirs.push(runDir);
      const run = await runVerify(stateDir, runId);
      if (run.code !== 0)
        throw new Error(
          `The smoke suite failed at ${apiLatencyMs} ms API latency:\n${run.output.slice(-3000)}`,
        );
      const entries = parseRequestLog(readFileSync(join(runDir, RUN_LAYOUT.requests), "utf8"));
      const suiteMs = junitTotalMs(runDir);
      const replayMs = await replay(entries, token);
      const ratio = Math.round((suiteMs / replayMs) * 100) / 100;
      points.push({
        apiLatencyMs,
        suiteMs,
        verifyMs: Math.round(run.wallMs),
        replayMs: Math.round(replayMs),
        requests: entries.length,
        ratio,
        passed: apiLatencyMs === 0 ? suiteMs <= TARGETS.suiteWallAt0MsMs : ratio <= TARGETS.ratioAt100Ms,
      });
    }
    return { points, targets: TARGETS, meetsTargets: points.every((point) => point.passed) };
  } finally {
    await sandbox.stop();
    rmSync(stateDir, { recursive: true, force: true });
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench as printable lines. */
export function formatSmokeBench(bench: SmokeReplayBench): string {
  const lines = ["smoke suite vs sequential replay (undici) of its requests.jsonl"];
  for (const point of bench.points) {
    const target =
      point.apiLatencyMs === 0
        ? `target suite <= ${bench.targets.suiteWallAt0MsMs} ms`
        : `target ratio <= ${bench.targets.ratioAt100Ms}`;
    lines.push(
      `  latency ${String(point.apiLatencyMs).padStart(3)} ms: suite ${point.suiteMs} ms (verify ${point.verifyMs} ms), ` +
        `replay ${point.replayMs} ms of ${point.requests} requests, ratio ${point.ratio}  ${point.passed ? "OK" : "MISSED"} (${target})`,
    );
  }
  return lines.join("\n");
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  benchSmoke().then(
    (bench) => {
      process.stdout.write(`${formatSmokeBench(bench)}\n`);
      process.exit(bench.meetsTargets ? 0 : 1);
    },
    (error: unknown) => {
      process.stderr.write(`smoke bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
