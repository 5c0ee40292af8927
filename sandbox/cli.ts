/**
 * `npm run sandbox [-- <command>]`: start the sandbox in the foreground, deploy a build into the
 * running one, or show its status. Exit codes: 0 ok, 1 failed, 2 usage, 3 sandbox not running.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
// The foreground start imports nothing that loads zod before the sandbox bundle (which has its own):
// `deploy`, `status` and `--help` load deploy.ts, endpoints.ts and zod when they run.
import { environmentNames, serviceNames } from "./accounts.ts";
import type { Endpoints } from "./endpoints.ts";
import { SandboxNotRunningError, SandboxUsageError } from "./errors.ts";

const repoRoot = resolve(import.meta.dirname, "..");

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

async function usage(): Promise<string> {
  const { faultKinds } = await import("./deploy.ts");
  return `Usage: npm run sandbox -- [command] [options]

Commands:
  (none)    Start the sandbox in the foreground and print the variables to export. Ctrl-C stops it.
            --state-dir <dir>     where endpoints.json and the AWS config files go (default .sandbox)
            --aws-port <port>     port of the AWS endpoint (default: any free port)
            --api-latency <ms>    extra latency per API request (default 0)
            --no-seed             start without the seeded estate
            --verbose             print the services' logs
  deploy    Deploy a build into the running sandbox through the AWS APIs, as CI does.
            --env <${environmentNames.join("|")}>   (required)
            --service <${serviceNames.join("|")}>  (default tenant-instance-management)
            --version <x.y.z>     app version (default: live version + 1 patch)
            --fault <kind>        one of: ${faultKinds.join(", ")}
            --route "<METHOD /path>"  route of an endpoint-5xx, slow-endpoint or contract-drift fault
            --delay-ms <ms>       delay of a slow-endpoint fault
            --canary <weight>     route this share of traffic (0..1) to the new version, e.g. 0.1
            --no-backup-alias     skip the backup-* alias    --no-record  skip the deployment record
            --state-dir <dir>
  status    Show whether a sandbox runs from the state directory and where its endpoints are.
            --state-dir <dir>

Exit codes: 0 ok, 1 failed, 2 usage error, 3 sandbox not running or unreachable.`;
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

function usageError(message: string): ExitError {
  return new ExitError(`${message}\nRun \`npm run sandbox -- --help\` for the options.`, 2);
}

function parse<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
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
  const loaded = await loadStartSandbox(verbose ? (line) => io.err(`${line}\n`) : undefined);
  const sandbox = await loaded.startSandbox({
    stateDir: stringOption(values["state-dir"]),
    awsPort,
    apiLatencyMs,
    seed: values["no-seed"] !== true,
    quiet: values.verbose !== true,
  });
  io.out(`${describeRunning(sandbox.endpoints, sandbox.stateDir)}\nready in ${sandbox.startupMs} ms\n`);
  // Without a bundle for these sources, build one now that the sandbox is up, for the next start.
  if (loaded.buildBundle) {
    loaded.buildBundle().catch((error: unknown) => {
      if (verbose) io.err(`sandbox: could not bundle the sandbox for faster starts: ${String(error)}\n`);
    });
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        io.err(`Second ${signal}: exiting without a clean stop.\n`);
        resolveExit(1);
        return;
      }
      stopping = true;
      io.err(`${signal}: stopping the sandbox...\n`);
      sandbox.stop().then(
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
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}

type StartSandbox = typeof import("./start.ts").startSandbox;

function isStartSandbox(value: unknown): value is StartSandbox {
  return typeof value === "function";
}

const bundleDir = join(repoRoot, ".sandbox", "cli-bundle");
const bundleRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** SHA-256 over the paths and contents of every file under `dirs` and the lockfile. */
async function sourceFingerprint(dirs: readonly string[]): Promise<string> {
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(join(repoRoot, dir), { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(
      entries.map((entry) => (entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`])),
    );
    return nested.flat();
  };
  const files = (await Promise.all(dirs.map((dir) => walk(dir)))).flat().sort();
  const hash = createHash("sha256");
  const contents = await Promise.all(
    [...files, "package-lock.json"].map((file) =>
      readFile(join(repoRoot, file)).catch(() => Buffer.alloc(0)),
    ),
  );
  for (const [index, file] of [...files, "package-lock.json"].entries()) {
    hash.update(`${file}\0`);
    hash.update(contents[index] ?? Buffer.alloc(0));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Bundles of sources long gone; each start touches the bundle it uses. */
async function pruneOldBundles(): Promise<void> {
  for (const name of await readdir(bundleDir)) {
    const path = join(bundleDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < Date.now() - bundleRetentionMs) await rm(path, { force: true });
  }
}

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
  const fingerprint = await sourceFingerprint(["sandbox"]);
  const bundlePath = join(bundleDir, `start-${fingerprint.slice(0, 32)}.mjs`);
  try {
    const loaded: unknown = await import(pathToFileURL(bundlePath).href);
    const exported = typeof loaded === "object" && loaded !== null && "startSandbox" in loaded;
    if (exported && isStartSandbox(loaded.startSandbox)) {
      const now = new Date();
      await utimes(bundlePath, now, now).catch(() => undefined);
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
  const tmp = `${bundlePath}.${process.pid}.tmp`;
  await mkdir(bundleDir, { recursive: true });
  await pruneOldBundles().catch(() => undefined);
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
function describeRunning(endpoints: Endpoints, stateDir: string): string {
  const lines = [
    `BBWS sandbox running (pid ${endpoints.pid}); state in ${stateDir}. Ctrl-C stops it.`,
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
    `Control API ${endpoints.controlUrl} (GET /health; POST /deploy, /api-latency with the controlToken)`,
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
  const { values } = parse(argv, {
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
  });
  if (values.env === undefined) throw usageError(`deploy needs --env (${environmentNames.join(", ")}).`);
  if (values.route !== undefined && values.fault === undefined) throw usageError("--route needs --fault.");
  if (values["delay-ms"] !== undefined && values.fault === undefined)
    throw usageError("--delay-ms needs --fault slow-endpoint.");
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
  const { defaultStateDir, readEndpointsFile } = await import("./endpoints.ts");
  const { z } = await import("zod");
  try {
    parseDeployRequest(request);
  } catch (error) {
    if (error instanceof SandboxUsageError) throw usageError(error.message);
    throw error;
  }
  const endpoints = await readEndpointsFile(stringOption(values["state-dir"]) ?? defaultStateDir);
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
  const error = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
  const message = error.success ? error.data.error.message : `HTTP ${status}: ${String(json).slice(0, 500)}`;
  if (status === 400) throw usageError(message);
  if (status === 401) {
    throw new ExitError(
      `The sandbox at ${endpoints.controlUrl} refused the control token from the endpoints file: it belongs to another sandbox run. Restart the sandbox.`,
      3,
    );
  }
  throw new ExitError(`The deploy failed: ${message}`, 1);
}

async function runStatus(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { "state-dir": { type: "string" } });
  const { defaultStateDir, readEndpointsFile } = await import("./endpoints.ts");
  const { z } = await import("zod");
  const stateDir = stringOption(values["state-dir"]) ?? defaultStateDir;
  const endpoints = await readEndpointsFile(stateDir);
  const { status, json } = await control(endpoints, "GET", "/health");
  const health = z.object({ status: z.string(), pid: z.number() }).safeParse(json);
  if (status !== 200 || !health.success || health.data.pid !== endpoints.pid) {
    throw new SandboxNotRunningError(
      `The endpoints file names pid ${endpoints.pid} at ${endpoints.controlUrl}, but that sandbox does not answer as expected (HTTP ${status}). Start it again with \`npm run sandbox\`.`,
    );
  }
  io.out(`${describeRunning(endpoints, stateDir)}\nstatus: ${health.data.status}\n`);
  return 0;
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(`${await usage()}\n`);
    return 0;
  }
  try {
    if (command === undefined || command.startsWith("--")) return await runForeground(argv, io);
    if (command === "deploy") return await runDeploy(rest, io);
    if (command === "status") return await runStatus(rest, io);
    throw usageError(
      `Unknown command ${JSON.stringify(command)}; commands: deploy, status (or none to start).`,
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
