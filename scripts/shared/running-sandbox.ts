/**
 * For commands that talk to AWS in their own process (sweep, probe, plan): point this process's AWS variables
 * (and the verdict-key variables) at the sandbox running from the state folder, as `verify --sandbox` does for
 * its Playwright child.
 */
import { resolve } from "node:path";
import { ConfigError, type HarnessConfig, loadHarnessConfig } from "../../lib/config/index.ts";
import { sandboxChildEnv, sandboxVerdictKeyEnv, UsageError } from "../../lib/run/index.ts";
// The state and endpoints modules only, not sandbox/index.ts: a probe must not load the emulators to start.
import { defaultStateDir } from "../../sandbox/endpoints.ts";
import { SandboxNotRunningError } from "../../sandbox/errors.ts";
import { inspectStateDir } from "../../sandbox/state.ts";

/**
 * Replaces this process's variables with the sandbox run's (real AWS credentials from the shell must not reach
 * the SDK). Throws SandboxNotRunningError, naming the folder and what to do, when no sandbox runs there.
 */
export async function useRunningSandbox(config: HarnessConfig, verb: string): Promise<void> {
  const stateDir = process.env.HARNESS_SANDBOX_DIR
    ? resolve(process.env.HARNESS_SANDBOX_DIR)
    : defaultStateDir;
  const state = await inspectStateDir(stateDir);
  if (state.kind !== "running") {
    const why =
      state.kind === "none"
        ? `there is no ${state.path}`
        : `${state.reason}${state.kind === "stale" ? " (`npm run sandbox -- status` removes the stale state)" : ""}`;
    throw new SandboxNotRunningError(
      `No sandbox is running from ${stateDir} to ${verb}: ${why}. Start one with \`npm run sandbox\` (it keeps running in the foreground) and run the ${verb} again.`,
    );
  }
  // The sandbox's verdict keys too: `plan --sandbox` checks the source's verdicts against its public key.
  const env = {
    ...sandboxChildEnv(state.endpoints, config.environments, process.env),
    ...sandboxVerdictKeyEnv(stateDir, process.env).env,
  };
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}

/**
 * The configuration a command runs with: the override file, then, with `--sandbox`, the variables of the
 * running sandbox (which fill the environments' URLs and Cognito ids), read again after pointing at it.
 */
export async function loadCommandConfig(
  options: { config: string | undefined; sandbox: boolean },
  verb: string,
): Promise<HarnessConfig> {
  const load = () => loadHarnessConfig(options.config ? { configFile: options.config } : {});
  const config = load();
  if (!options.sandbox) return config;
  await useRunningSandbox(config, verb);
  return load();
}

/**
 * The exit code of a problem found before a command's first request, after printing its message: 2 for a
 * usage or configuration error, 3 when no sandbox runs; null for anything else (the caller rethrows it).
 */
export function setupErrorExit(error: unknown): 2 | 3 | null {
  const code =
    error instanceof UsageError || error instanceof ConfigError
      ? 2
      : error instanceof SandboxNotRunningError
        ? 3
        : null;
  if (code !== null && error instanceof Error) process.stderr.write(`${error.message}\n`);
  return code;
}
