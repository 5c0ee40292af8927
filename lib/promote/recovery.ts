/**
 * The recovery window of a rollback, watched by the command that rolled back from the moment its aliases moved,
 * and handed to the rollback suite it starts (lib/checks/recovery-handover.ts). `npm run rollback` and a
 * promotion that rolls itself back both start it right after the rollback and before the suite.
 */
import { join } from "node:path";
import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { type RecoveryHandover, watchRecoveryForHandover } from "../checks/index.ts";
import { RUN_ENV, repoRoot } from "../run/index.ts";

export interface RecoveryWatch {
  /** reports/promotions/<runId>.recovery.json */
  readonly file: string;
  /** The variable that hands the file to the rollback suite. */
  readonly env: Record<string, string>;
  /** Settles once the window has been watched (or could not be), never rejects. */
  readonly watched: Promise<RecoveryHandover>;
}

export function startRecoveryWatch(options: {
  aws: AwsClients;
  environment: Environment;
  service: Service;
  runId: string;
  watchedBy: string;
}): RecoveryWatch {
  const file = join(repoRoot, "reports", "promotions", `${options.runId}.recovery.json`);
  return {
    file,
    env: { [RUN_ENV.recoveryHandover]: file },
    watched: watchRecoveryForHandover({ ...options, file }),
  };
}

/** One line for the command's log: whether the window was watched from the alias move, and where it is. */
export function describeRecoveryWatch(
  watch: RecoveryWatch,
  handover: RecoveryHandover,
  relativeTo = repoRoot,
): string {
  const where = watch.file.startsWith(`${relativeTo}/`)
    ? watch.file.slice(relativeTo.length + 1)
    : watch.file;
  return handover.problem === undefined
    ? `  recovery window watched from the alias move; ${where}`
    : `  recovery window not watched here (${handover.problem}): the rollback suite watched it; ${where}`;
}
