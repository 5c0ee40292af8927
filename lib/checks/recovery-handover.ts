/**
 * The recovery window, watched by `npm run rollback` itself from the moment the aliases moved and handed to the
 * rollback suite it starts (HARNESS_RECOVERY_HANDOVER), the way a promotion hands its canary to the post-deploy
 * suite. Watching from the command means the window opens at the rollback, not seconds later when Playwright has
 * started, and both the command's verification runs start meanwhile. The suite judges the handed-over window with
 * the same judge; a handover that is missing, late, unreadable or for another rollback makes the suite watch on
 * its own, and says why. The file holds plain window data (no secrets: metric datapoints and reasons).
 */
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { writeJsonAtomically } from "../files/index.ts";
import { readDeployedFunctions } from "./deployed.ts";
import {
  type LatestRollback,
  readLatestRollbackOf,
  recoveryWindowsKey,
  runRecoveryWindows,
} from "./rollback.ts";
import type { FunctionWindow } from "./window.ts";

/** The shape checked before the windows are used (the rest is the window data the judges read). */
const WindowSchema = z.looseObject({
  functionName: z.string(),
  target: z.looseObject({ kind: z.enum(["function", "canary"]), functionName: z.string() }),
  startedAt: z.number(),
  rules: z.array(z.looseObject({ id: z.string(), itemIds: z.array(z.string()) })),
  skipped: z.array(z.looseObject({ itemId: z.string() })),
  baseline: z.looseObject({ source: z.string() }),
  decision: z.looseObject({
    kind: z.enum(["fail", "pass", "inconclusive"]),
    reason: z.string(),
    evidence: z.looseObject({ errors: z.array(z.unknown()), invocations: z.array(z.unknown()) }),
  }),
  polls: z.number(),
  traffic: z.looseObject({}),
});

const HandoverSchema = z.object({
  /** recoveryWindowsKey() of the rollback the windows watched. */
  key: z.string(),
  watchedBy: z.string(),
  writtenAt: z.string(),
  windows: z.array(WindowSchema).optional(),
  /** Why the command could not watch (CloudWatch unreachable, no record): the suite watches on its own. */
  problem: z.string().optional(),
});

/** What the command writes: the windows as the monitor made them, or why there are none. */
export type RecoveryHandover = Omit<z.infer<typeof HandoverSchema>, "windows"> & {
  windows?: readonly FunctionWindow[];
};

/**
 * Reads the newest rollback record and the functions it restored, watches their recovery window and writes the
 * windows (or why there are none) to `file`. Never throws: a window it could not watch is the suite's to watch.
 */
export async function watchRecoveryForHandover(options: {
  aws: AwsClients;
  environment: Environment;
  service: Service;
  file: string;
  watchedBy: string;
}): Promise<RecoveryHandover> {
  const { aws, environment, service } = options;
  let key = "unknown";
  let handover: RecoveryHandover;
  try {
    const rollback = await readLatestRollbackOf(aws, environment, service);
    key = recoveryWindowsKey(rollback);
    const functions = await readDeployedFunctions(aws, environment, service);
    const windows = await runRecoveryWindows({ aws, rollback, functions, service, environment });
    handover = {
      key,
      watchedBy: options.watchedBy,
      writtenAt: new Date().toISOString(),
      windows,
    };
  } catch (error) {
    handover = {
      key,
      watchedBy: options.watchedBy,
      writtenAt: new Date().toISOString(),
      problem: error instanceof Error ? error.message : String(error),
    };
  }
  writeJsonAtomically(options.file, handover);
  return handover;
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * The handed-over windows of this rollback, once the command has written them (it may still be watching), or why
 * they cannot be used. Waits at most `timeoutMs`.
 */
export async function awaitRecoveryHandover(
  file: string,
  rollback: LatestRollback,
  timeoutMs: number,
  pollMs = 250,
): Promise<{ windows: FunctionWindow[] } | { problem: string }> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() >= deadline)
      return {
        problem: `no recovery window was handed over in ${file} within ${Math.round(timeoutMs / 1000)} s`,
      };
    await sleep(pollMs);
  }
  let parsed: z.infer<typeof HandoverSchema>;
  try {
    parsed = HandoverSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    return {
      problem: `${file} is not a recovery handover: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const key = recoveryWindowsKey(rollback);
  if (parsed.key !== key)
    return { problem: `${file} holds the window of another rollback (${parsed.key}, not ${key})` };
  if (parsed.problem !== undefined || parsed.windows === undefined)
    return {
      problem: `${parsed.watchedBy} could not watch the recovery window: ${parsed.problem ?? "no windows"}`,
    };
  // Checked above for the fields the judges rely on; the rest is the monitor's own data. Each window says who
  // watched it, so the judge's reason does.
  const windows = parsed.windows as unknown as FunctionWindow[];
  return { windows: windows.map((w) => ({ ...w, watchedBy: parsed.watchedBy })) };
}
