/**
 * Runs the sandbox CLI's `main` in this process with its output captured: the code path of
 * `npm run sandbox -- ...` without paying a Node start per case. Not a test file itself.
 */
import { main } from "../../sandbox/cli.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function sandboxCli(args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
