/**
 * `npm run sandbox [-- <command>]`: start the sandbox in the foreground, deploy a build into the
 * running one, seed its past, show its status, or stop it. Exit codes: 0 ok, 1 failed, 2 usage, 3 sandbox not running.
 */
import { mkdir, readFile, rename } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { Endpoints } from "./endpoints.ts";
import { SandboxNotRunningError, SandboxUsageError } from "./errors.ts";
// The foreground start imports nothing that loads zod before the sandbox bundle (which has its own):
// `deploy`, `seed`, `status` and `stop` load deploy.ts, seed-actions.ts, endpoints.ts and zod when they run.
import {
  defaultDelayMs,
  delayedFaultKinds,
  environmentNames,
  faultKinds,
  routedFaultKinds,
  serviceNames,
} from "./manifest.ts";
import { pruneCache, sourceFingerprint, temporaryPathFor, touch } from "./source-cache.ts";
import type { SandboxHandle } from "./start.ts";

const repoRoot = resolve(import.meta.dirname, "..");

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

const subcommands = ["deploy", "seed", "status", "stop"] as const;
type Subcommand = (typeof subcommands)[number];

function isSubcommand(value: string | undefined): value is Subcommand {
  return subcommands.some((name) => name === value);
}

const EXIT_CODES = `Exit codes:
  0  ok (stop: the sandbox stopped)
  1  failed (a deploy or seed failed; stop: the sandbox did not exit in time)
  2  usage error
  3  no sandbox running from the state directory, or it does not answer (stale state is removed)`;

/** `a, b or c`. */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The help of one command, or of all of them. */
function usage(command?: Subcommand): string {
  const delays = delayedFaultKinds.map((kind) => defaultDelayMs(kind)).join("/");
  const sections = {
    start: `  (none)    Start the sandbox in the foreground and print the variables to export. Ctrl-C stops it.
            --state-dir <dir>     where endpoints.json and the AWS config files go
                                  (default $HARNESS_SANDBOX_DIR, else .sandbox: where verify and sweep look)
            --aws-port <port>     port of the AWS endpoint (default: any free port)
            --api-latency <ms>    extra latency per API request (default 0)
            --no-seed             start without the seeded estate
            --verbose             print the services' logs`,
    deploy: `  deploy    Deploy a build into the running sandbox through the AWS APIs, as CI does.
            --env <${environmentNames.join("|")}>   (required)
            --service <${serviceNames.join("|")}>  (default tenant-instance-management)
            --version <x.y.z>     app version (default: live version + 1 patch)
            --fault <kind>        one of: ${faultKinds.join(", ")}
            --route "<METHOD /path>"  route of an ${inWords(routedFaultKinds)} fault
            --delay-ms <ms>       delay of a ${inWords(delayedFaultKinds)} fault (default ${delays})
            --canary <weight>     route this share of traffic (0..1) to the new version, e.g. 0.1
            --no-backup-alias     skip the backup-* alias    --no-record  skip the deployment record
            --state-dir <dir>     (default $HARNESS_SANDBOX_DIR, else .sandbox)`,
    seed: `  seed      Seed the past of one environment of the running sandbox (metric datapoints, log
            events, alarm states, deployment ages, SSM values); see docs/sandbox-interface.md.
            --env <${environmentNames.join("|")}>   (required)
            --file <actions.json> a JSON array of seed actions (or {"actions": [...]})
            --json '<actions>'    the same inline; give --file or --json
            --state-dir <dir>     (default $HARNESS_SANDBOX_DIR, else .sandbox)`,
    status: `  status    Show whether a sandbox runs from the state directory and where its endpoints are.
            Stale state (an endpoints file whose pid has exited or whose control API is gone) is
            reported and removed.
            --state-dir <dir>     (default $HARNESS_SANDBOX_DIR, else .sandbox)`,
    stop: `  stop      Stop the sandbox running from the state directory (SIGTERM to its pid, then wait for it
            to exit and its endpoints file to go). Also stops a drill kept with \`npm start -- --keep\`.
            --state-dir <dir>     (default $HARNESS_SANDBOX_DIR, else .sandbox)`,
  };
  if (command !== undefined) {
    return `Usage: npm run sandbox -- ${command} [options]\n\n${sections[command]}\n            -h, --help            print this help\n\n${EXIT_CODES}`;
  }
  return `Usage: npm run sandbox -- [command] [options]

Commands:
${[sections.start, sections.deploy, sections.seed, sections.status, sections.stop].join("\n")}
  -h, --help  print this help; \`<command> --help\` prints one command's

${EXIT_CODES}`;
}

/** Where the CLI writes: the process's stdout/stderr, or a capture in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

class ExitError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2 | 3,
  ) {
    super(message);
    this.name = "ExitError";
  }
}

function usageError(message: string, command?: Subcommand): ExitError {
  const help = command === undefined ? "npm run sandbox -- --help" : `npm run sandbox -- ${command} --help`;
  return new ExitError(`${message}\nRun \`${help}\` for the options and exit codes.`, 2);
}

function parse<T extends ParseArgsOptionsConfig>(argv: string[], options: T, command?: Subcommand) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(message.replace(/\. To specify a positional argument.*$/s, "."), command);
  }
}

function numberOption(
  value: unknown,
  name: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || !check(n)) {
    throw usageError(`--${name} must be ${what}, not ${JSON.stringify(value)}.`);
  }
  return n;
}

function stringOption(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** $HARNESS_SANDBOX_DIR, where the harness's scripts (verify, sweep, the drill) look for a sandbox. */
function envStateDir(): string | undefined {
  const dir = process.env.HARNESS_SANDBOX_DIR;
  return dir ? resolve(dir) : undefined;
}

/** The state directory a command works on: --state-dir, else $HARNESS_SANDBOX_DIR, else `.sandbox`. */
async function stateDirOption(value: unknown): Promise<string> {
  const given = stringOption(value);
  if (given !== undefined) return resolve(given);
  const { defaultStateDir } = await import("./endpoints.ts");
  return envStateDir() ?? defaultStateDir;
}

/**
 * The running sandbox of a state directory, or an exit 3 that says why there is none. Stale state is
 * removed on the way, and the message says so.
 */
async function requireRunning(stateDir: string): Promise<{ endpoints: Endpoints; status: string }> {
  const { inspectStateDir, removeStaleState } = await import("./state.ts");
  const state = await inspectStateDir(stateDir);
  switch (state.kind) {
    case "running":
      return { endpoints: state.endpoints, status: state.status };
    case "none":
      throw new ExitError(
        `No sandbox is running from ${stateDir} (no ${state.path}). Start one with \`npm run sandbox\` (it keeps running in the foreground).`,
        3,
      );
    case "stale": {
      const removed = await removeStaleState(state);
      const parts = [`No sandbox is running from ${stateDir}: ${state.reason}.`];
      if (removed.length > 0) parts.push(`Removed the stale state (${removed.join(", ")}).`);
      parts.push("Start one with `npm run sandbox`.");
      throw new ExitError(parts.join(" "), 3);
    }
    case "unconfirmed":
      throw new ExitError(
        `The sandbox of ${stateDir} cannot be confirmed: ${state.reason}. Its files are left as they are; ` +
          `try again in a moment, or if it is hung, \`kill ${state.pid}\` and run \`npm run sandbox -- status\` to clean up.`,
        3,
      );
  }
}

async function runForeground(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    "state-dir": { type: "string" },
    "aws-port": { type: "string" },
    "api-latency": { type: "string" },
    "no-seed": { type: "boolean" },
    verbose: { type: "boolean" },
  });
  const awsPort = numberOption(
    values["aws-port"],
    "aws-port",
    (n) => Number.isInteger(n) && n >= 0 && n < 65536,
    "a port number",
  );
  const apiLatencyMs = numberOption(
    values["api-latency"],
    "api-latency",
    (n) => Number.isInteger(n) && n >= 0 && n <= 60_000,
    "an integer number of milliseconds (0..60000)",
  );
  // Loaded here so `deploy`, `status` and `--help` stay fast.
  const verbose = values.verbose === true;
  // Signals are handled from here on, before "ready" is printed: a caller that stops the sandbox the
  // moment it reads "ready" must find the handlers in place, or the process dies with a stale file.
  let sandbox: SandboxHandle | undefined;
  let stopping = false;
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolvePromise) => {
    resolveExit = resolvePromise;
  });
  const stopStarted = (handle: SandboxHandle) => {
    handle.stop().then(
      () => {
        io.err("Sandbox stopped.\n");
        resolveExit(0);
      },
      (error: unknown) => {
        io.err(
          `The sandbox did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        resolveExit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`Second ${signal}: exiting without a clean stop.\n`);
      resolveExit(1);
      return;
    }
    stopping = true;
    io.err(`${signal}: stopping the sandbox...\n`);
    // A sandbox still starting is stopped as soon as it is up.
    if (sandbox) stopStarted(sandbox);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const run = async (): Promise<number> => {
    const loaded = await loadStartSandbox(verbose ? (line) => io.err(`${line}\n`) : undefined);
    try {
      sandbox = await loaded.startSandbox({
        stateDir: stringOption(values["state-dir"]) ?? envStateDir(),
        awsPort,
        apiLatencyMs,
        seed: values["no-seed"] !== true,
        quiet: values.verbose !== true,
      });
    } catch (error) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      throw error;
    }
    if (stopping) {
      stopStarted(sandbox);
      return exited;
    }
    io.out(
      `${describeRunning(sandbox.endpoints, sandbox.stateDir, true)}\nready in ${sandbox.startupMs} ms\n`,
    );
    // Without a bundle for these sources, build one now that the sandbox is up, for the next start.
    if (loaded.buildBundle) {
      loaded.buildBundle().catch((error: unknown) => {
        if (verbose) io.err(`sandbox: could not bundle the sandbox for faster starts: ${String(error)}\n`);
      });
    }
    return exited;
  };
  const running = run();
  // A second signal while the sandbox is still starting exits at once (exited wins the race).
  running.catch(() => undefined);
  return Promise.race([exited, running]);
}

type StartSandbox = typeof import("./start.ts").startSandbox;

function isStartSandbox(value: unknown): value is StartSandbox {
  return typeof value === "function";
}

const bundleDir = join(repoRoot, ".sandbox", "cli-bundle");

/**
 * Loads startSandbox. Under tsx, loading the sandbox's ~150 modules (zod, the AWS services,
 * cognito-local, ...) one by one costs about half a second of the start-up budget; one esbuild bundle
 * of them loads in a fraction of that. The bundle is a cache keyed by a fingerprint of every file
 * under sandbox/ and the lockfile: when there is none for the current sources, the sources are loaded
 * directly and `buildBundle` makes one for the next start. Paths the sources compute from their own
 * location (import.meta.url) are pinned to the source files, so the bundle behaves like the sources.
 */
async function loadStartSandbox(
  log: ((line: string) => void) | undefined,
): Promise<{ startSandbox: StartSandbox; buildBundle?: () => Promise<void> }> {
  const fingerprint = await sourceFingerprint(repoRoot, ["sandbox"]);
  const bundlePath = join(bundleDir, `start-${fingerprint.slice(0, 32)}.mjs`);
  try {
    const loaded: unknown = await import(pathToFileURL(bundlePath).href);
    const exported = typeof loaded === "object" && loaded !== null && "startSandbox" in loaded;
    if (exported && isStartSandbox(loaded.startSandbox)) {
      await touch(bundlePath);
      log?.(`sandbox: loaded from ${bundlePath}`);
      return { startSandbox: loaded.startSandbox };
    }
  } catch {
    // No bundle for these sources yet (or an unreadable one): load the sources.
  }
  const { startSandbox } = await import("./start.ts");
  return { startSandbox, buildBundle: () => buildStartBundle(bundlePath) };
}

async function buildStartBundle(bundlePath: string): Promise<void> {
  const { build } = await import("esbuild");
  const sourceDir = join(repoRoot, "sandbox");
  const tmp = temporaryPathFor(bundlePath);
  await mkdir(bundleDir, { recursive: true });
  await pruneCache(bundleDir).catch(() => undefined);
  await build({
    entryPoints: [join(sourceDir, "start.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: tmp,
    // Loaded at run time by require() or by the Lambda runtime, as in the sources.
    external: ["esbuild", "@aws-sdk/*", "cognito-local", "cognito-local/*", "dynalite"],
    banner: {
      js: "import { createRequire as __bbwsCreateRequire } from 'node:module'; const require = __bbwsCreateRequire(import.meta.url);",
    },
    logLevel: "silent",
    plugins: [
      {
        name: "pin-import-meta-to-sources",
        setup(context) {
          context.onLoad({ filter: /\.(ts|mjs|js)$/ }, async (args) => {
            if (!args.path.startsWith(`${sourceDir}/`)) return undefined;
            const text = (await readFile(args.path, "utf8"))
              .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
              .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)));
            return { contents: text, loader: args.path.endsWith(".ts") ? "ts" : "js" };
          });
        },
      },
    ],
  });
  await rename(tmp, bundlePath);
}

/** The block printed at start: what to export, and per environment where things are (no secrets). */
function describeRunning(endpoints: Endpoints, stateDir: string, foreground: boolean): string {
  const stop = foreground ? "Ctrl-C" : `\`npm run sandbox -- stop --state-dir ${stateDir}\``;
  const lines = [
    `BBWS sandbox running (pid ${endpoints.pid}); state in ${stateDir}. ${stop} stops it.`,
    "",
    ...Object.entries(endpoints.exports).map(([name, value]) => `export ${name}=${value}`),
    "",
  ];
  for (const env of environmentNames) {
    const e = endpoints.environments[env];
    lines.push(
      `${env.padEnd(5)} profile ${e.profile}  account ${e.accountId}  region ${e.region}`,
      `      API URL      ${e.apiUrl}`,
      `      Cognito      user pool ${e.cognito.userPoolId}  app client ${e.cognito.clientId}`,
      `      smoke user   ${e.cognito.smokeUser.username}; its password is environments.${env}.cognito.smokeUser.password in ${stateDir}/endpoints.json`,
    );
  }
  lines.push(
    "",
    `Control API ${endpoints.controlUrl} (GET /health; POST /deploy, /seed, /api-latency with the controlToken)`,
  );
  return lines.join("\n");
}

async function control(
  endpoints: Endpoints,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${endpoints.controlUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${endpoints.controlToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(method === "GET" ? 3_000 : 120_000),
    });
  } catch (error) {
    throw new SandboxNotRunningError(
      `The sandbox of pid ${endpoints.pid} does not answer at ${endpoints.controlUrl} (${error instanceof Error ? error.message : String(error)}). ` +
        "It probably exited without cleaning up; start it again with `npm run sandbox`.",
      { cause: error },
    );
  }
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Left as text: reported below.
  }
  return { status: response.status, json };
}

async function runDeploy(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    argv,
    {
      env: { type: "string" },
      service: { type: "string" },
      version: { type: "string" },
      fault: { type: "string" },
      route: { type: "string" },
      "delay-ms": { type: "string" },
      canary: { type: "string" },
      "no-backup-alias": { type: "boolean" },
      "no-record": { type: "boolean" },
      "state-dir": { type: "string" },
    },
    "deploy",
  );
  if (values.env === undefined)
    throw usageError(`deploy needs --env (${environmentNames.join(", ")}).`, "deploy");
  if (values.route !== undefined && values.fault === undefined)
    throw usageError("--route needs --fault.", "deploy");
  if (values["delay-ms"] !== undefined && values.fault === undefined)
    throw usageError(`--delay-ms needs --fault ${inWords(delayedFaultKinds)}.`, "deploy");
  const delayMs = numberOption(
    values["delay-ms"],
    "delay-ms",
    (n) => Number.isInteger(n) && n >= 0,
    "a whole number of milliseconds",
  );
  const canaryWeight = numberOption(
    values.canary,
    "canary",
    (n) => n > 0 && n < 1,
    "a weight between 0 and 1 such as 0.1",
  );
  const fault = stringOption(values.fault);
  const route = stringOption(values.route);
  const request = {
    env: values.env,
    ...(values.service !== undefined ? { service: values.service } : {}),
    ...(values.version !== undefined ? { appVersion: values.version } : {}),
    ...(fault !== undefined
      ? {
          fault: {
            kind: fault,
            ...(route !== undefined ? { route } : {}),
            ...(delayMs !== undefined ? { delayMs } : {}),
          },
        }
      : {}),
    ...(canaryWeight !== undefined ? { canaryWeight } : {}),
    ...(values["no-backup-alias"] === true ? { createBackupAlias: false } : {}),
    ...(values["no-record"] === true ? { recordDeployment: false } : {}),
  };
  const { parseDeployRequest } = await import("./deploy.ts");
  const { z } = await import("zod");
  try {
    parseDeployRequest(request);
  } catch (error) {
    if (error instanceof SandboxUsageError) throw usageError(error.message, "deploy");
    throw error;
  }
  const { endpoints } = await requireRunning(await stateDirOption(values["state-dir"]));
  const { status, json } = await control(endpoints, "POST", "/deploy", request);
  if (status === 200) {
    const result = z
      .object({
        functionName: z.string(),
        functionVersion: z.string(),
        appVersion: z.string(),
        codeSha256: z.string(),
        alias: z.string(),
        previousVersion: z.string(),
        backupAlias: z.string().nullable(),
      })
      .loose()
      .parse(json);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  throw await controlFailure(endpoints, status, json, "deploy", "The deploy failed");
}

/** The error a control route answered, as the CLI reports it: 400 usage (2), 401 another sandbox's token (3), else 1. */
async function controlFailure(
  endpoints: Endpoints,
  status: number,
  json: unknown,
  command: Subcommand,
  failed: string,
): Promise<ExitError> {
  const { z } = await import("zod");
  const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
  const message = error.success ? error.data.error.message : `HTTP ${status}: ${String(json).slice(0, 500)}`;
  if (status === 400) return usageError(message, command);
  if (status === 401) {
    return new ExitError(
      `The sandbox at ${endpoints.controlUrl} refused the control token from the endpoints file: it belongs to another sandbox run. Restart the sandbox.`,
      3,
    );
  }
  return new ExitError(`${failed}: ${message}`, 1);
}

/** The actions of `--file` or `--json`: a JSON array of actions, or an object holding one as `actions`. */
async function seedActionsOption(file: string | undefined, inline: string | undefined): Promise<unknown> {
  if ((file === undefined) === (inline === undefined)) {
    throw usageError(
      "seed needs the actions: give --file <actions.json> or --json '<actions>' (one of them).",
      "seed",
    );
  }
  let text = inline ?? "";
  const source = file === undefined ? "--json" : file;
  if (file !== undefined) {
    try {
      text = await readFile(resolve(file), "utf8");
    } catch (error) {
      throw usageError(
        `Cannot read --file ${file}: ${error instanceof Error ? error.message : String(error)}.`,
        "seed",
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(
      `${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}); it holds a JSON array of seed actions.`,
      "seed",
    );
  }
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && "actions" in parsed) {
    const keys = Object.keys(parsed).filter((key) => key !== "actions");
    if (keys.length > 0) {
      throw usageError(
        `${source} holds ${keys.map((key) => JSON.stringify(key)).join(", ")} beside "actions"; give only the actions (the environment is --env).`,
        "seed",
      );
    }
    return parsed.actions;
  }
  return parsed;
}

async function runSeed(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    argv,
    {
      env: { type: "string" },
      file: { type: "string" },
      json: { type: "string" },
      "state-dir": { type: "string" },
    },
    "seed",
  );
  if (values.env === undefined)
    throw usageError(`seed needs --env (${environmentNames.join(", ")}).`, "seed");
  const request = {
    env: values.env,
    actions: await seedActionsOption(stringOption(values.file), stringOption(values.json)),
  };
  const { parseSeedRequest } = await import("./seed-actions.ts");
  try {
    parseSeedRequest(request);
  } catch (error) {
    if (error instanceof SandboxUsageError) throw usageError(error.message, "seed");
    throw error;
  }
  const { endpoints } = await requireRunning(await stateDirOption(values["state-dir"]));
  const { status, json } = await control(endpoints, "POST", "/seed", request);
  if (status !== 200) throw await controlFailure(endpoints, status, json, "seed", "The seed failed");
  io.out(`${JSON.stringify(json, null, 2)}\n`);
  return 0;
}

async function runStatus(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { "state-dir": { type: "string" } }, "status");
  const stateDir = await stateDirOption(values["state-dir"]);
  const { endpoints, status } = await requireRunning(stateDir);
  io.out(`${describeRunning(endpoints, stateDir, false)}\nstatus: ${status}\n`);
  return 0;
}

const STOP_TIMEOUT_MS = 20_000;

async function runStop(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { "state-dir": { type: "string" } }, "stop");
  const stateDir = await stateDirOption(values["state-dir"]);
  const { endpoints } = await requireRunning(stateDir);
  const { isProcessAlive, inspectStateDir, removeStaleState } = await import("./state.ts");
  const { pid } = endpoints;
  const started = performance.now();
  try {
    process.kill(pid, "SIGTERM");
  } catch (error) {
    throw new ExitError(
      `Cannot signal the sandbox's pid ${pid}: ${error instanceof Error ? error.message : String(error)}. Stop it in its own terminal (Ctrl-C).`,
      1,
    );
  }
  while (isProcessAlive(pid)) {
    if (performance.now() - started > STOP_TIMEOUT_MS) {
      throw new ExitError(
        `The sandbox (pid ${pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM. ` +
          `\`kill -9 ${pid}\`, then \`npm run sandbox -- status\` removes what it left.`,
        1,
      );
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  // A sandbox stops by removing its endpoints file; one that could not (killed mid-stop) left it.
  const after = await inspectStateDir(stateDir);
  if (after.kind === "stale") await removeStaleState(after);
  io.out(
    `Stopped the sandbox (pid ${pid}) running from ${stateDir} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  return 0;
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  if (command === "help" || options.includes("--help") || options.includes("-h")) {
    io.out(`${usage(isSubcommand(command) ? command : undefined)}\n`);
    return 0;
  }
  try {
    if (command === undefined || command.startsWith("--")) return await runForeground(argv, io);
    if (command === "deploy") return await runDeploy(rest, io);
    if (command === "seed") return await runSeed(rest, io);
    if (command === "status") return await runStatus(rest, io);
    if (command === "stop") return await runStop(rest, io);
    throw usageError(
      `Unknown command ${JSON.stringify(command)}; commands: ${subcommands.join(", ")} (or none to start).`,
    );
  } catch (error) {
    const code =
      error instanceof ExitError
        ? error.code
        : error instanceof Error && "exitCode" in error && (error.exitCode === 2 || error.exitCode === 3)
          ? error.exitCode
          : 1;
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return code;
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  // The SDK's "future releases need Node 22" notice would be the first thing a user sees; it is not
  // about the sandbox. Only the CLI opts out; library callers keep their own setting.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
