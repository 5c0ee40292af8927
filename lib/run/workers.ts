/**
 * How many Playwright workers a run gets. Tests that wait on the network do not need a core each, so a run whose
 * API answers over the network (a real environment, or a sandbox with injected latency) gets more workers than
 * cores; a run against an API on this machine at no added latency is bound by the cores it shares with that API,
 * and an extra worker only costs a process start (about 1.5 s of CPU) that the tests never win back. --workers
 * or HARNESS_WORKERS override the choice.
 */

/** Round trips at or above this are waits, not work: the run is latency-bound. */
export const LATENCY_BOUND_MS = 20;
/** Workers of a latency-bound run: each holds one test's chain of requests in flight. */
export const NETWORK_WORKERS = 4;

export interface WorkersChoice {
  workers: number;
  /** Why, for the run's console line. */
  why: string;
}

export function chooseWorkers(input: {
  /** --workers, or null. */
  requested: number | null;
  /** HARNESS_WORKERS as set, if at all. */
  fromEnv: string | undefined;
  /** The API is on this machine (the sandbox, a local build on 127.0.0.1). */
  loopback: boolean;
  /** Latency the API is known to add per request (the sandbox says), 0 when unknown. */
  apiLatencyMs: number;
  cores: number;
}): WorkersChoice {
  if (input.requested !== null) return { workers: input.requested, why: "--workers" };
  const fromEnv = Number(input.fromEnv);
  if (input.fromEnv !== undefined && Number.isInteger(fromEnv) && fromEnv >= 1)
    return { workers: fromEnv, why: "HARNESS_WORKERS" };
  if (!input.loopback)
    return { workers: NETWORK_WORKERS, why: "the API is remote: the tests wait on the network, not a core" };
  if (input.apiLatencyMs >= LATENCY_BOUND_MS)
    return {
      workers: NETWORK_WORKERS,
      why: `the API adds ${input.apiLatencyMs} ms a request: the tests wait, not compute`,
    };
  const workers = Math.max(1, Math.min(NETWORK_WORKERS, input.cores - 1));
  return {
    workers,
    why: `the API runs on this machine's ${input.cores} cores: one is left to it`,
  };
}

/** Whether a URL's host is this machine. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}
