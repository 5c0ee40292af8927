/**
 * For commands that talk to AWS in their own process (sweep, probe): point this process's AWS variables at
 * the sandbox running from the state folder, as `verify --sandbox` does for its Playwright child.
 */
import { resolve } from "node:path";
import type { HarnessConfig } from "../../lib/config/index.ts";
import { sandboxChildEnv } from "../../lib/run/index.ts";
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
  const env = sandboxChildEnv(state.endpoints, config.environments, process.env);
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}
