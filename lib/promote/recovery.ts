/**
 * The rollback suite after a rollback, with its recovery window watched by the command that rolled back from the
 * moment its aliases moved and handed to the suite (lib/checks/recovery-handover.ts). `npm run rollback` and a
 * promotion that rolls itself back both verify their rollback this way.
 */
import { join, relative } from "node:path";
import type { Environment, Service } from "../../runbooks/index.ts";
import type { AwsClients } from "../aws/index.ts";
import { watchRecoveryForHandover } from "../checks/index.ts";
import { RUN_ENV, repoRoot, type SuiteVerification, verifySuite } from "../run/index.ts";

/**
 * Starts watching the recovery window (reports/promotions/<runId>.recovery.json), runs the rollback suite with the
 * handover, and logs whether the window was watched from the alias move. The suite's exit is the result.
 */
export async function verifyRollbackSuite(options: {
  aws: AwsClients;
  environment: Environment;
  service: Service;
  /** The run of the command that rolled back; it names the handover file. */
  runId: string;
  /** Who watched, for the suite's reason: the command and its run. */
  watchedBy: string;
  sandbox: boolean;
  config?: string | undefined;
  childEnv: Record<string, string | undefined>;
  log: (line: string) => void;
}): Promise<SuiteVerification> {
  const file = join(repoRoot, "reports", "promotions", `${options.runId}.recovery.json`);
  const watched = watchRecoveryForHandover({ ...options, file });
  const run = await verifySuite({
    env: options.environment.id,
    suite: "rollback",
    service: options.service.id,
    automatedOnly: true,
    sandbox: options.sandbox,
    config: options.config,
    childEnv: { ...options.childEnv, [RUN_ENV.recoveryHandover]: file },
    log: options.log,
  });
  const handover = await watched;
  options.log(
    handover.problem === undefined
      ? `  recovery window watched from the alias move; ${relative(repoRoot, file)}`
      : `  recovery window not watched here (${handover.problem}): the rollback suite watched it; ${relative(repoRoot, file)}`,
  );
  return run;
}
