/**
 * What a state directory says about its sandbox: none, one running (file present, pid alive, control API
 * answering with that pid), or stale state a sandbox that died left behind, which is safe to remove. The
 * CLI's `status` and `stop`, `startSandbox` and the drill all decide through `inspectStateDir`.
 */
import { readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import {
  type Endpoints,
  EndpointsSchema,
  endpointsFileName,
  renderAwsConfig,
  renderAwsCredentials,
} from "./endpoints.ts";

/** How long the control API's /health may take before a live pid counts as unconfirmed. */
const HEALTH_TIMEOUT_MS = 3_000;

export type StateDirState =
  /** No endpoints file: no sandbox runs from here. */
  | { kind: "none"; stateDir: string; path: string }
  /** The endpoints file's sandbox is alive and answers as itself. */
  | {
      kind: "running";
      stateDir: string;
      path: string;
      endpoints: Endpoints;
      status: string;
      /** The latency the sandbox adds to each API request now (0 when it does not say). */
      apiLatencyMs: number;
    }
  /** Left behind by a sandbox that is gone: `reason` says how that is known. Safe to remove. */
  | { kind: "stale"; stateDir: string; path: string; reason: string; pid: number | null; text: string }
  /**
   * The pid is alive but the sandbox could not be confirmed (the control API is slow, or the file is
   * unreadable): neither running nor safe to remove.
   */
  | { kind: "unconfirmed"; stateDir: string; path: string; reason: string; pid: number };

/** Whether a process with this pid exists (also one of another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

function errorCode(error: unknown): unknown {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && "code" in cause) return cause.code;
  return error instanceof Error && "code" in error ? error.code : undefined;
}

const HealthSchema = z.object({
  status: z.string(),
  pid: z.number(),
  apiLatencyMs: z.number().nonnegative().optional(),
});

/** Reads a state directory's endpoints file and checks whether its sandbox is really there. */
export async function inspectStateDir(dir: string): Promise<StateDirState> {
  const stateDir = resolve(dir);
  const path = join(stateDir, endpointsFileName);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return { kind: "none", stateDir, path };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = EndpointsSchema.safeParse(json);
  if (!parsed.success) {
    const loose = z.object({ pid: z.number().int().positive() }).safeParse(json);
    const pid = loose.success ? loose.data.pid : null;
    if (pid !== null && isProcessAlive(pid)) {
      return {
        kind: "unconfirmed",
        stateDir,
        path,
        pid,
        reason: `${path} does not match docs/sandbox-interface.md (another version of the sandbox?) and names pid ${pid}, which is alive`,
      };
    }
    const who = pid === null ? "names no pid" : `names pid ${pid}, which has exited`;
    return { kind: "stale", stateDir, path, pid, text, reason: `${path} is unreadable and ${who}` };
  }
  const endpoints = parsed.data;
  const { pid } = endpoints;
  if (!isProcessAlive(pid)) {
    return {
      kind: "stale",
      stateDir,
      path,
      pid,
      text,
      reason: `the endpoints file names pid ${pid}, which has exited (it did not clean up: killed, or crashed)`,
    };
  }
  let response: Response;
  try {
    response = await fetch(`${endpoints.controlUrl}/health`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
  } catch (error) {
    if (errorCode(error) === "ECONNREFUSED") {
      return {
        kind: "stale",
        stateDir,
        path,
        pid,
        text,
        reason: `pid ${pid} is alive but nothing listens at ${endpoints.controlUrl}: that sandbox is gone (the pid is still exiting, or belongs to another process now)`,
      };
    }
    return {
      kind: "unconfirmed",
      stateDir,
      path,
      pid,
      reason: `pid ${pid} is alive but its control API ${endpoints.controlUrl} did not answer within ${HEALTH_TIMEOUT_MS / 1000} s (busy or hung)`,
    };
  }
  const health = HealthSchema.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !health.success || health.data.pid !== pid) {
    return {
      kind: "stale",
      stateDir,
      path,
      pid,
      text,
      reason: `${endpoints.controlUrl} does not answer as the sandbox of pid ${pid} (HTTP ${response.status}): that sandbox is gone`,
    };
  }
  return {
    kind: "running",
    stateDir,
    path,
    endpoints,
    status: health.data.status,
    apiLatencyMs: health.data.apiLatencyMs ?? 0,
  };
}

/**
 * Removes what a stale sandbox left: its endpoints file, and its AWS config and credentials files when
 * they still hold what it wrote. Only if the endpoints file is still the stale one (a new sandbox may
 * have started meanwhile). Returns the files removed.
 */
export async function removeStaleState(state: Extract<StateDirState, { kind: "stale" }>): Promise<string[]> {
  const current = await readFile(state.path, "utf8").catch(() => null);
  if (current !== state.text) return [];
  await rm(state.path, { force: true });
  const removed = [state.path];
  let json: unknown;
  try {
    json = JSON.parse(state.text);
  } catch {
    return removed;
  }
  const endpoints = EndpointsSchema.safeParse(json);
  if (!endpoints.success) return removed;
  const written: Array<[string, string]> = [
    [endpoints.data.awsConfigFile, renderAwsConfig(endpoints.data)],
    [endpoints.data.awsSharedCredentialsFile, renderAwsCredentials(endpoints.data)],
  ];
  for (const [file, content] of written) {
    if ((await readFile(file, "utf8").catch(() => null)) !== content) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
