/**
 * Benchmark: the smoke suite as a user runs it (`npm run verify -- --env dev --suite smoke --sandbox`, the whole
 * command from its start), medians of 3 runs at 0 ms and at 100 ms injected API latency:
 *   - the time from command start to the first API request, with a timeline of where it goes (marks the
 *     processes write with HARNESS_TIMELINE_FILE: npm and verify, the Playwright runner, its first worker);
 *   - the whole command's wall time (target <= 5 s at 0 ms) and Playwright's own (JUnit total);
 *   - at 100 ms, the ratio to a sequential replay of the same requests with plain undici on one keep-alive
 *     connection (target <= 0.4), and the request phase (first request to last response) against the critical
 *     path: the longest chain of one test's sequential requests x the latency (target within 1.5x);
 *   - the peak RSS of the whole process tree (the sum over npm, verify, the runner and its workers; target
 *     <= 500 MB);
 *   - one run each with 1, 2 and 4 workers at 100 ms, to show what the default buys (not judged).
 * Issue 17's targets. Runnable alone: `node --import tsx scripts/bench/smoke-replay.ts`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { Agent, request } from "undici";
import { CognitoTokenSource } from "../../lib/aws/index.ts";
import { parseRequestLog, type RequestLogEntry } from "../../lib/http/index.ts";
import { createRunId, RUN_LAYOUT, repoRoot, runDirFor, TIMELINE_ENV } from "../../lib/run/index.ts";
import { type SandboxHandle, startSandbox } from "../../sandbox/index.ts";
import { median } from "./probe.ts";
import { sampleTreeRss } from "./process-tree.ts";

export const SMOKE_TARGETS = {
  firstRequestMs: 2_000,
  verifyWallAt0MsMs: 5_000,
  ratioAt100Ms: 0.4,
  criticalPathFactor: 1.5,
  peakTreeRssMb: 500,
};

const RUNS = 3;
const LATENCY_MS = 100;

/** One mark of a run's timeline, relative to the command's start. */
interface Mark {
  event: string;
  pid: number;
  atMs: number;
  processStartedMs: number;
}

export interface SmokeRun {
  code: number | null;
  wallMs: number;
  /** Playwright's own total (JUnit). */
  suiteMs: number;
  /** Command start to the first API request; null when the run sent none. */
  firstRequestMs: number | null;
  /** First API request to the last response. */
  requestPhaseMs: number;
  peakTreeRssMb: number | null;
  peakProcesses: number;
  phases: Array<{ name: string; ms: number | null }>;
  entries: RequestLogEntry[];
}

export interface ChainStats {
  requests: number;
  /** Sequential requests of the longest test (the critical path, in requests). */
  criticalPath: number;
  criticalTest: string;
  /** Sum of every test's sequential requests (what a one-at-a-time runner waits for). */
  totalChain: number;
}

export interface SmokeBench {
  at0: SmokeRun[];
  at100: SmokeRun[];
  replayAt100Ms: number[];
  chains: ChainStats;
  byWorkers: Array<{ workers: number; run: SmokeRun }>;
  summary: {
    firstRequestMs: number;
    verifyWallAt0Ms: number;
    suiteAt100Ms: number;
    verifyAt100Ms: number;
    replayAt100Ms: number;
    ratioAt100Ms: number;
    requestPhaseAt100Ms: number;
    criticalPathBoundMs: number;
    peakTreeRssMb: number | null;
    phases: Array<{ name: string; ms: number | null }>;
  };
  met: Record<"firstRequest" | "wallAt0" | "ratio" | "criticalPath" | "memory", boolean>;
  meetsTargets: boolean;
}

const epoch = (iso: string) => Date.parse(iso);

/**
 * The sequential depth of each test's requests: a request that starts after the previous ones ended waits for
 * them; one that starts while another is in flight runs beside it and adds no depth.
 */
export function chainStats(entries: readonly RequestLogEntry[]): ChainStats {
  const byTest = new Map<string, RequestLogEntry[]>();
  for (const entry of entries) {
    const key = entry.test ?? "(no test)";
    byTest.set(key, [...(byTest.get(key) ?? []), entry]);
  }
  let criticalPath = 0;
  let criticalTest = "";
  let totalChain = 0;
  for (const [test, list] of byTest) {
    const ordered = [...list].sort((a, b) => epoch(a.startedAt) - epoch(b.startedAt));
    let depth = 0;
    let busyUntil = Number.NEGATIVE_INFINITY;
    for (const entry of ordered) {
      const start = epoch(entry.startedAt);
      if (start >= busyUntil) depth++;
      busyUntil = Math.max(busyUntil, start + entry.durationMs);
    }
    totalChain += depth;
    if (depth > criticalPath) {
      criticalPath = depth;
      criticalTest = test;
    }
  }
  return { requests: entries.length, criticalPath, criticalTest, totalChain };
}

const PHASES: ReadonlyArray<readonly [string, string, string]> = [
  ["npm, node and verify's modules", "start", "verify: main"],
  ["verify: sandbox, config, signing key", "verify: main", "verify: Playwright spawned"],
  ["Playwright runner: its own start-up", "verify: Playwright spawned", "runner: config loading"],
  ["runner: config, reporters, specs listed", "runner: config loading", "worker: process start"],
  ["worker: Playwright's start-up", "worker: process start", "worker: config loading"],
  ["worker: specs and fixtures loaded", "worker: config loading", "worker: account guard"],
  ["worker: account guard (STS, Lambda)", "worker: account guard", "worker: account guard done"],
  ["worker: smoke token, first request", "worker: account guard done", "first API request"],
];

function readMarks(file: string, startedAt: number): Mark[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { event: string; pid: number; at: number; processStartedAt: number })
    .map((m) => ({
      event: m.event,
      pid: m.pid,
      atMs: m.at - startedAt,
      processStartedMs: m.processStartedAt - startedAt,
    }));
}

function phasesOf(marks: readonly Mark[], firstRequestMs: number | null): SmokeRun["phases"] {
  const at = new Map<string, number>([["start", 0]]);
  for (const mark of marks) if (!at.has(mark.event)) at.set(mark.event, mark.atMs);
  const firstWorker = marks.find((mark) => mark.event.startsWith("worker:"));
  if (firstWorker) {
    at.set("worker: process start", firstWorker.processStartedMs);
    // The first worker's own marks, not whichever worker wrote one first.
    for (const mark of marks.filter((m) => m.pid === firstWorker.pid)) at.set(mark.event, mark.atMs);
  }
  if (firstRequestMs !== null) at.set("first API request", firstRequestMs);
  return PHASES.map(([name, from, to]) => {
    const a = at.get(from);
    const b = at.get(to);
    return { name, ms: a === undefined || b === undefined ? null : Math.round(b - a) };
  });
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

/** One `npm run verify -- --env dev --suite smoke --sandbox` from a fresh npm process, timed from its spawn. */
async function runSmoke(stateDir: string, runId: string, workers?: number): Promise<SmokeRun> {
  const runDir = runDirFor(runId);
  const timeline = join(stateDir, `${runId}.timeline.jsonl`);
  const args = ["run", "verify", "--", "--env", "dev", "--suite", "smoke", "--sandbox", "--run-id", runId];
  if (workers !== undefined) args.push("--workers", String(workers));
  const startedAt = Date.now();
  const started = performance.now();
  const { code, output, tree } = await new Promise<{
    code: number | null;
    output: string;
    tree: ReturnType<ReturnType<typeof sampleTreeRss>["stop"]>;
  }>((done, fail) => {
    const child = spawn("npm", args, {
      cwd: repoRoot,
      env: { ...process.env, HARNESS_SANDBOX_DIR: stateDir, [TIMELINE_ENV]: timeline },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const sampler = child.pid === undefined ? null : sampleTreeRss(child.pid);
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on("error", fail);
    child.on("close", (exitCode) => done({ code: exitCode, output: text, tree: sampler?.stop() ?? null }));
  });
  const wallMs = Math.round(performance.now() - started);
  if (code !== 0) throw new Error(`The smoke run ${runId} exited ${code}:\n${output.slice(-3000)}`);
  const entries = parseRequestLog(readFileSync(join(runDir, RUN_LAYOUT.requests), "utf8"));
  const starts = entries.map((entry) => epoch(entry.startedAt));
  const ends = entries.map((entry) => epoch(entry.startedAt) + entry.durationMs);
  const firstRequestMs = starts.length === 0 ? null : Math.min(...starts) - startedAt;
  return {
    code,
    wallMs,
    suiteMs: junitTotalMs(runDir),
    firstRequestMs,
    requestPhaseMs: starts.length === 0 ? 0 : Math.round(Math.max(...ends) - Math.min(...starts)),
    peakTreeRssMb: tree?.peakMb ?? null,
    peakProcesses: tree?.peakProcesses ?? 0,
    phases: phasesOf(readMarks(timeline, startedAt), firstRequestMs),
    entries,
  };
}

/** Replays logged requests one by one, in the order they started; returns the wall time. */
async function replay(entries: readonly RequestLogEntry[], token: string): Promise<number> {
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

const medianPhases = (runs: readonly SmokeRun[]): SmokeRun["phases"] =>
  PHASES.map(([name], i) => {
    const values = runs.map((run) => run.phases[i]?.ms).filter((ms): ms is number => typeof ms === "number");
    return { name, ms: values.length === 0 ? null : median(values) };
  });

/** Smoke runs at 0 and 100 ms API latency on a fresh sandbox, their replays, and a workers comparison. */
export async function benchSmoke(): Promise<SmokeBench> {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  const sandbox = await startSandbox({ stateDir, quiet: true });
  const runIds: string[] = [];
  const run = (workers?: number) => {
    const runId = createRunId("dev", "smoke");
    runIds.push(runId);
    return runSmoke(stateDir, runId, workers);
  };
  try {
    const token = await smokeUserToken(sandbox);
    // One unmeasured run first: the function's cold start and the disk caches are not the suite's cost.
    await run();
    const at0: SmokeRun[] = [];
    for (let i = 0; i < RUNS; i++) at0.push(await run());
    await sandbox.setApiLatency(LATENCY_MS);
    const at100: SmokeRun[] = [];
    const replayAt100Ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const point = await run();
      at100.push(point);
      replayAt100Ms.push(Math.round(await replay(point.entries, token)));
    }
    const byWorkers = [];
    for (const workers of [1, 2, 4]) byWorkers.push({ workers, run: await run(workers) });
    const chains = chainStats(at100[0]?.entries ?? []);
    const rss = [...at0, ...at100].map((r) => r.peakTreeRssMb).filter((mb): mb is number => mb !== null);
    const summary = {
      firstRequestMs: median(at0.map((r) => r.firstRequestMs ?? Number.POSITIVE_INFINITY)),
      verifyWallAt0Ms: median(at0.map((r) => r.wallMs)),
      suiteAt100Ms: median(at100.map((r) => r.suiteMs)),
      verifyAt100Ms: median(at100.map((r) => r.wallMs)),
      replayAt100Ms: median(replayAt100Ms),
      ratioAt100Ms: 0,
      requestPhaseAt100Ms: median(at100.map((r) => r.requestPhaseMs)),
      criticalPathBoundMs: chains.criticalPath * LATENCY_MS,
      peakTreeRssMb: rss.length === 0 ? null : Math.max(...rss),
      phases: medianPhases(at0),
    };
    summary.ratioAt100Ms = Math.round((summary.suiteAt100Ms / summary.replayAt100Ms) * 100) / 100;
    const met = {
      firstRequest: summary.firstRequestMs <= SMOKE_TARGETS.firstRequestMs,
      wallAt0: summary.verifyWallAt0Ms <= SMOKE_TARGETS.verifyWallAt0MsMs,
      ratio: summary.ratioAt100Ms <= SMOKE_TARGETS.ratioAt100Ms,
      criticalPath:
        summary.requestPhaseAt100Ms <= summary.criticalPathBoundMs * SMOKE_TARGETS.criticalPathFactor,
      memory: summary.peakTreeRssMb !== null && summary.peakTreeRssMb <= SMOKE_TARGETS.peakTreeRssMb,
    };
    return {
      at0,
      at100,
      replayAt100Ms,
      chains,
      byWorkers,
      summary,
      met,
      meetsTargets: Object.values(met).every(Boolean),
    };
  } finally {
    await sandbox.stop();
    rmSync(stateDir, { recursive: true, force: true });
    for (const runId of runIds) rmSync(runDirFor(runId), { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? "OK" : "MISSED");

/** The bench as printable lines. */
export function formatSmokeBench(bench: SmokeBench): string {
  const { summary: s, met, chains } = bench;
  const list = (values: readonly number[]) => values.join(", ");
  const lines = [
    `smoke suite, the whole \`npm run verify\` command (medians of ${RUNS}; 0 ms and ${LATENCY_MS} ms API latency)`,
    `  command start to first API request: ${s.firstRequestMs} ms (runs ${list(bench.at0.map((r) => r.firstRequestMs ?? -1))}) ` +
      `${verdict(met.firstRequest)} (target <= ${SMOKE_TARGETS.firstRequestMs} ms)`,
    "  where it goes (median ms per phase, first worker):",
    ...s.phases.map(
      (phase) => `    ${phase.name.padEnd(42)} ${phase.ms === null ? "n/a" : String(phase.ms).padStart(5)}`,
    ),
    `  latency   0 ms: verify ${s.verifyWallAt0Ms} ms (runs ${list(bench.at0.map((r) => r.wallMs))}; Playwright ` +
      `${median(bench.at0.map((r) => r.suiteMs))} ms) ${verdict(met.wallAt0)} (target <= ${SMOKE_TARGETS.verifyWallAt0MsMs} ms)`,
    `  latency ${LATENCY_MS} ms: Playwright ${s.suiteAt100Ms} ms (verify ${s.verifyAt100Ms} ms), sequential replay ` +
      `${s.replayAt100Ms} ms of ${chains.requests} requests: ratio ${s.ratioAt100Ms} ${verdict(met.ratio)} (target <= ${SMOKE_TARGETS.ratioAt100Ms}); ` +
      `whole command / replay ${Math.round((s.verifyAt100Ms / s.replayAt100Ms) * 100) / 100}`,
    `  critical path: ${chains.criticalPath} sequential requests x ${LATENCY_MS} ms = ${s.criticalPathBoundMs} ms ` +
      `(${chains.criticalTest}); all tests' chains ${chains.totalChain} requests. Request phase ${s.requestPhaseAt100Ms} ms = ` +
      `${Math.round((s.requestPhaseAt100Ms / Math.max(1, s.criticalPathBoundMs)) * 100) / 100}x the bound ` +
      `${verdict(met.criticalPath)} (target <= ${SMOKE_TARGETS.criticalPathFactor}x)`,
    `  peak RSS of the whole process tree: ${s.peakTreeRssMb ?? "n/a"} MB (up to ${Math.max(...[...bench.at0, ...bench.at100].map((r) => r.peakProcesses))} processes) ` +
      `${verdict(met.memory)} (target <= ${SMOKE_TARGETS.peakTreeRssMb} MB)`,
    `  workers at ${LATENCY_MS} ms (one run each, not judged): ${bench.byWorkers
      .map(
        ({ workers, run }) =>
          `${workers}: verify ${run.wallMs} ms, requests ${run.requestPhaseMs} ms, tree ${run.peakTreeRssMb ?? "n/a"} MB`,
      )
      .join("; ")}`,
  ];
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
