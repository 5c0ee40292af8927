/**
 * Execution environments for Lambda functions: one worker thread per (function, version) with that
 * version's environment variables (so two accounts never share process.env), started on first invoke,
 * serving concurrent invocations, reset after a timeout or crash and stopped when idle.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import { z } from "zod";

const bootstrapUrl = new URL("./runtime-worker.mjs", import.meta.url);

/** Everything needed to run one immutable function configuration. */
export interface RuntimeTarget {
  /** Unique per executable configuration (account, region, function, version, revision). */
  key: string;
  accountId: string;
  region: string;
  functionName: string;
  version: string;
  taskRoot: string;
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  logGroupName: string;
}

export interface InvokeRequest {
  requestId: string;
  /** The event as JSON text (already validated). */
  event: string;
  invokedFunctionArn: string;
  clientContext?: unknown;
}

export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface InvokeOutcome {
  /** JSON text the handler returned, or the error payload. */
  payload: string;
  error?: FunctionErrorPayload;
  timedOut: boolean;
  durationMs: number;
  initDurationMs?: number;
  /** The log lines of this invocation (for `LogType: Tail`). */
  logLines: string[];
}

/** Where log events go: the function's log group, stream of the execution environment. */
export type LogSink = (
  target: RuntimeTarget,
  logStreamName: string,
  timestamp: number,
  message: string,
) => void;

const WorkerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), initMs: z.number(), maxMemoryMb: z.number() }),
  z.object({
    type: z.literal("init-error"),
    initMs: z.number(),
    error: z.object({ errorType: z.string(), errorMessage: z.string(), trace: z.array(z.string()) }),
  }),
  z.object({
    type: z.literal("log"),
    requestId: z.string().nullable(),
    level: z.string(),
    message: z.string(),
    timestamp: z.number(),
  }),
  z.object({
    type: z.literal("result"),
    id: z.number(),
    ok: z.boolean(),
    payload: z.string().optional(),
    error: z
      .object({ errorType: z.string(), errorMessage: z.string(), trace: z.array(z.string()) })
      .optional(),
    maxMemoryMb: z.number(),
  }),
]);

interface Pending {
  id: number;
  requestId: string;
  started: number;
  resolve: (result: { ok: boolean; payload?: string; error?: FunctionErrorPayload }) => void;
  lines: string[];
}

type InitState =
  | { state: "starting" }
  | { state: "ready"; initMs: number }
  | { state: "failed"; initMs: number; error: FunctionErrorPayload };

function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

function logStreamNameFor(version: string): string {
  const now = new Date();
  const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, "0")}/${String(now.getUTCDate()).padStart(2, "0")}`;
  return `${day}/[${version}]${randomBytes(16).toString("hex")}`;
}

/** One execution environment: a worker thread running one function configuration. */
class ExecutionEnvironment {
  readonly target: RuntimeTarget;
  readonly logStreamName: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #sink: LogSink;
  readonly #onGone: (env: ExecutionEnvironment) => void;
  readonly #idleMs: number;
  readonly #logLine: (line: string) => void;
  #init: InitState = { state: "starting" };
  #initWaiters: Array<() => void> = [];
  #initReported = false;
  #retiring = false;
  #exited = false;
  #fatal: FunctionErrorPayload | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  readonly #created = performance.now();
  maxMemoryMb = 0;

  constructor(
    target: RuntimeTarget,
    sink: LogSink,
    idleMs: number,
    onGone: (env: ExecutionEnvironment) => void,
    logLine: (line: string) => void,
  ) {
    this.target = target;
    this.#sink = sink;
    this.#idleMs = idleMs;
    this.#onGone = onGone;
    this.#logLine = logLine;
    this.logStreamName = logStreamNameFor(target.version);
    this.#worker = new Worker(bootstrapUrl, {
      workerData: { taskRoot: target.taskRoot, handler: target.handler },
      env: { ...target.env, AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName },
      execArgv: [],
      stdout: true,
      stderr: true,
      name: `lambda:${target.functionName}:${target.version}`,
    });
    this.#worker.on("message", (message: unknown) => this.#onMessage(message));
    this.#worker.on("error", (error: Error) => {
      this.#fatal = {
        errorType: error.name && error.name !== "Error" ? error.name : "Runtime.UncaughtException",
        errorMessage: error.message,
        trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
      };
      this.#logLine(
        `lambda: the execution environment of ${target.functionName}:${target.version} crashed: ${error.message}`,
      );
      this.#log(
        null,
        `${formatTimestamp(Date.now())}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify({ ...this.#fatal, stack: this.#fatal.trace })}`,
      );
    });
    this.#worker.on("exit", (code) => this.#onExit(code));
    for (const stream of [this.#worker.stdout, this.#worker.stderr]) {
      // Raw writes to process.stdout/stderr land in the log stream as they do on Lambda.
      createInterface({ input: stream }).on("line", (line) => this.#log(null, line));
    }
  }

  get busy(): number {
    return this.#pending.size;
  }

  get usable(): boolean {
    return !this.#retiring && !this.#exited;
  }

  #log(pending: Pending | null, line: string, timestamp = Date.now()): void {
    pending?.lines.push(line);
    this.#sink(this.target, this.logStreamName, timestamp, line);
  }

  #onMessage(raw: unknown): void {
    const parsed = WorkerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case "ready":
        // Init Duration covers starting the runtime and importing the handler, as Lambda reports it.
        this.#init = { state: "ready", initMs: performance.now() - this.#created };
        this.maxMemoryMb = Math.max(this.maxMemoryMb, message.maxMemoryMb);
        this.#wakeInitWaiters();
        return;
      case "init-error":
        this.#init = { state: "failed", initMs: performance.now() - this.#created, error: message.error };
        this.#logLine(
          `lambda: ${this.target.functionName}:${this.target.version} failed to initialise: ${message.error.errorType}: ${message.error.errorMessage}`,
        );
        this.#log(
          null,
          `${formatTimestamp(Date.now())}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify({ errorType: message.error.errorType, errorMessage: message.error.errorMessage, stack: message.error.trace })}`,
        );
        this.#log(
          null,
          `INIT_REPORT Init Duration: ${(performance.now() - this.#created).toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${message.error.errorType}`,
        );
        this.#wakeInitWaiters();
        this.retire();
        return;
      case "log": {
        const pending =
          message.requestId === null
            ? undefined
            : [...this.#pending.values()].find((entry) => entry.requestId === message.requestId);
        const line = `${formatTimestamp(message.timestamp)}\t${message.requestId ?? "undefined"}\t${message.level}\t${message.message}`;
        this.#log(pending ?? null, line, message.timestamp);
        return;
      }
      case "result": {
        this.maxMemoryMb = Math.max(this.maxMemoryMb, message.maxMemoryMb);
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        pending.resolve(
          message.ok
            ? { ok: true, payload: message.payload ?? "null" }
            : {
                ok: false,
                error: message.error ?? {
                  errorType: "Runtime.Unknown",
                  errorMessage: "Unknown error",
                  trace: [],
                },
              },
        );
        this.#afterInvocation();
        return;
      }
    }
  }

  #wakeInitWaiters(): void {
    const waiters = this.#initWaiters;
    this.#initWaiters = [];
    for (const wake of waiters) wake();
  }

  #onExit(code: number): void {
    this.#exited = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const error = this.#fatal ?? {
      errorType: "Runtime.ExitError",
      errorMessage: `Runtime exited with error: exit status ${code}`,
      trace: [],
    };
    if (this.#init.state === "starting") {
      this.#init = { state: "failed", initMs: 0, error };
      this.#wakeInitWaiters();
    }
    for (const pending of this.#pending.values()) {
      pending.resolve({
        ok: false,
        error: { ...error, errorMessage: `RequestId: ${pending.requestId} Error: ${error.errorMessage}` },
      });
    }
    this.#pending.clear();
    this.#onGone(this);
  }

  #afterInvocation(): void {
    if (this.#pending.size > 0) return;
    if (this.#retiring) {
      void this.#worker.terminate();
      return;
    }
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.retire(), this.#idleMs);
    this.#idleTimer.unref();
  }

  /** Stops taking invocations; the worker ends once the ones in flight are done. */
  retire(): void {
    this.#retiring = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#pending.size === 0 && !this.#exited) void this.#worker.terminate();
  }

  async terminate(): Promise<void> {
    this.#retiring = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (!this.#exited) await this.#worker.terminate();
  }

  async #waitForInit(): Promise<InitState> {
    if (this.#init.state === "starting")
      await new Promise<void>((resolve) => this.#initWaiters.push(resolve));
    return this.#init;
  }

  /** Runs one invocation; resolves with its outcome (never rejects). */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const pending: Pending = {
      id: this.#nextId++,
      requestId: request.requestId,
      started: 0,
      resolve: () => {},
      lines: [],
    };
    // Counted as busy during init too, so an idle timer or a retirement does not end it underneath us.
    this.#pending.set(pending.id, pending);
    const init = await this.#waitForInit();
    const { target } = this;
    let initDurationMs: number | undefined;
    if (!this.#initReported && init.state !== "starting") {
      this.#initReported = true;
      initDurationMs = init.initMs;
    }
    this.#log(pending, `START RequestId: ${request.requestId} Version: ${target.version}`);
    const started = performance.now();
    let result: { ok: boolean; payload?: string; error?: FunctionErrorPayload; timedOut?: boolean };
    if (init.state === "failed" || this.#exited) {
      this.#pending.delete(pending.id);
      const error =
        init.state === "failed"
          ? init.error
          : {
              errorType: "Runtime.ExitError",
              errorMessage: "Runtime exited before the invocation",
              trace: [],
            };
      result = { ok: false, error };
    } else {
      const timeoutMs = target.timeoutSeconds * 1000;
      result = await new Promise((resolve) => {
        const timer = setTimeout(() => {
          this.#pending.delete(pending.id);
          resolve({
            ok: false,
            timedOut: true,
            error: {
              errorType: "Sandbox.Timedout",
              errorMessage: `RequestId: ${request.requestId} Error: Task timed out after ${target.timeoutSeconds.toFixed(2)} seconds`,
              trace: [],
            },
          });
          // Lambda resets an environment whose invocation timed out; the handler may still be running.
          this.retire();
          this.#afterInvocation();
        }, timeoutMs);
        pending.resolve = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
        this.#worker.postMessage({
          type: "invoke",
          id: pending.id,
          event: request.event,
          context: {
            awsRequestId: request.requestId,
            functionName: target.functionName,
            functionVersion: target.version,
            invokedFunctionArn: request.invokedFunctionArn,
            memoryLimitInMB: target.memorySize,
            logGroupName: target.logGroupName,
            logStreamName: this.logStreamName,
            clientContext: request.clientContext,
            deadline: Date.now() + timeoutMs,
          },
        });
      });
    }
    const durationMs = result.timedOut ? target.timeoutSeconds * 1000 : performance.now() - started;
    if (result.timedOut) {
      this.#log(
        pending,
        `${formatTimestamp(Date.now())} ${request.requestId} Task timed out after ${target.timeoutSeconds.toFixed(2)} seconds`,
      );
    } else if (result.error) {
      const logged = {
        errorType: result.error.errorType,
        errorMessage: result.error.errorMessage,
        stack: result.error.trace,
      };
      this.#log(
        pending,
        `${formatTimestamp(Date.now())}\t${request.requestId}\tERROR\tInvoke Error \t${JSON.stringify(logged)}`,
      );
    }
    this.#log(pending, `END RequestId: ${request.requestId}`);
    const report = [
      `REPORT RequestId: ${request.requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)))} ms`,
      `Memory Size: ${target.memorySize} MB`,
      `Max Memory Used: ${Math.max(1, this.maxMemoryMb)} MB`,
      ...(initDurationMs === undefined ? [] : [`Init Duration: ${initDurationMs.toFixed(2)} ms`]),
      ...(result.timedOut ? ["Status: timeout"] : []),
    ].join("\t");
    this.#log(pending, report);
    if (init.state === "failed") this.#afterInvocation();
    const outcome: InvokeOutcome = {
      payload: result.error ? JSON.stringify(result.error) : (result.payload ?? "null"),
      timedOut: result.timedOut === true,
      durationMs,
      logLines: pending.lines,
    };
    if (result.error) outcome.error = result.error;
    if (initDurationMs !== undefined) outcome.initDurationMs = initDurationMs;
    return outcome;
  }
}

export interface LambdaRuntimeOptions {
  sink: LogSink;
  /** Stop an execution environment after this long without invocations (default 60 s). */
  idleMs?: number;
  log?: (line: string) => void;
}

/** The set of running execution environments. */
export class LambdaRuntime {
  readonly #environments = new Map<string, ExecutionEnvironment>();
  /** Every environment whose worker is alive, including retired ones finishing their last invocations. */
  readonly #live = new Set<ExecutionEnvironment>();
  readonly #sink: LogSink;
  readonly #idleMs: number;
  readonly #log: (line: string) => void;
  #closed = false;

  constructor(options: LambdaRuntimeOptions) {
    this.#sink = options.sink;
    this.#idleMs = options.idleMs ?? 60_000;
    this.#log = options.log ?? (() => {});
  }

  /** Number of running execution environments (for tests and diagnostics). */
  get size(): number {
    return this.#live.size;
  }

  /** Runs one invocation of `target`, starting its environment if none is running. */
  async invoke(target: RuntimeTarget, request: InvokeRequest): Promise<InvokeOutcome> {
    if (this.#closed) {
      return {
        payload: JSON.stringify({
          errorType: "Runtime.Stopped",
          errorMessage: "The sandbox is stopping",
          trace: [],
        }),
        error: { errorType: "Runtime.Stopped", errorMessage: "The sandbox is stopping", trace: [] },
        timedOut: false,
        durationMs: 0,
        logLines: [],
      };
    }
    let environment = this.#environments.get(target.key);
    if (!environment?.usable) {
      const fresh = new ExecutionEnvironment(
        target,
        this.#sink,
        this.#idleMs,
        (gone) => {
          this.#live.delete(gone);
          if (this.#environments.get(gone.target.key) === gone) this.#environments.delete(gone.target.key);
        },
        this.#log,
      );
      this.#environments.set(target.key, fresh);
      this.#live.add(fresh);
      environment = fresh;
    }
    return environment.invoke(request);
  }

  /** Retires every environment whose key starts with `prefix` (function updated or deleted). */
  retire(prefix: string): void {
    for (const [key, environment] of this.#environments) {
      if (key.startsWith(prefix)) {
        environment.retire();
        this.#environments.delete(key);
      }
    }
  }

  /** Terminates every environment. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#live];
    this.#environments.clear();
    await Promise.all(all.map((environment) => environment.terminate()));
  }
}
