/**
 * Benchmark: the sandbox's start-to-ready time and idle peak memory, measured on a fresh Node process
 * as a user gets it with `npm run sandbox`. Runnable alone: `npx tsx scripts/bench/sandbox-startup.ts`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const idleMs = 2_000;
const readyTimeoutMs = 60_000;

export interface SandboxStartupBench {
  /** Wall time from spawning `node --import tsx sandbox/cli.ts` to its "ready in" line. */
  startToReadyMs: number;
  /** The child's peak resident memory (VmHWM) after ~2 s idle once ready, in MB. */
  idlePeakRssMb: number;
  /**
   * CPU time (user + system, all threads) the child used until ready. On a busy machine wall time
   * mostly measures the neighbours; this says how much work start-up itself is.
   */
  cpuToReadyMs: number;
}

/** CPU time used by a process so far, from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Peak resident set size of a process in MB, from /proc (Linux). */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmHWM line; this benchmark needs Linux.`);
  return Math.round((Number(match[1]) / 1024) * 10) / 10;
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolveReady, rejectReady) => {
    let output = "";
    let errors = "";
    const timer = setTimeout(() => {
      rejectReady(
        new Error(`The sandbox printed no "ready in" line within ${readyTimeoutMs} ms.\n${errors}`),
      );
    }, readyTimeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (/^ready in \d+ ms$/m.test(output)) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      errors += chunk.toString("utf8");
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      rejectReady(
        new Error(`The sandbox exited before it was ready (code ${code}, signal ${signal}).\n${errors}`),
      );
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timeout = sleep(15_000).then(() => "timeout" as const);
  if ((await Promise.race([exited.then(() => "exited" as const), timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Starts the sandbox in a child process, measures start-to-ready and idle peak RSS, then stops it. */
export async function benchSandboxStartup(): Promise<SandboxStartupBench> {
  const stateDir = await mkdtemp(join(tmpdir(), "bbws-sandbox-bench-"));
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/cli.ts", "--state-dir", stateDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  try {
    await waitForReady(child);
    const startToReadyMs = Math.round(performance.now() - started);
    const pid = child.pid;
    if (pid === undefined) throw new Error("The sandbox child process has no pid.");
    const cpuToReadyMs = await cpuMs(pid);
    await sleep(idleMs);
    const idlePeakRssMb = await peakRssMb(pid);
    return { startToReadyMs, idlePeakRssMb, cpuToReadyMs };
  } finally {
    await stopChild(child);
    await rm(stateDir, { recursive: true, force: true });
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  benchSandboxStartup().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
