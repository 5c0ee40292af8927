/**
 * `npm run merge -- --run-id <id> [--json]`
 *
 * Merges the shards of one sharded run (`npm run verify -- ... --shard i/n --run-id <id>`, each shard into
 * the same run folder) into one HTML report, JUnit file and verdict, prints the verdict and exits with its
 * code. A run whose shards are not all there is never a passing gate: the merged verdict says which shard is
 * missing and is inconclusive.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runWhenMain } from "../lib/cli/index.ts";
import { RUN_ENV, RUN_LAYOUT, repoRoot, runDirFor, UsageError } from "../lib/run/index.ts";
import {
  computeReportSha256,
  formatVerdictSummary,
  readVerdict,
  type Verdict,
  VerdictSchema,
} from "../lib/verdict/index.ts";

const USAGE = `Usage: npm run merge -- --run-id <id> [--json]

Merges the shards of a sharded verify run into one report and one verdict (reports/runs/<id>/verdict.json).
Run every shard first with the same run id:
  npm run verify -- --env dev --suite smoke --shard 1/2 --run-id <id>
  npm run verify -- --env dev --suite smoke --shard 2/2 --run-id <id>
  npm run merge -- --run-id <id>

Options:
  --run-id <id>     the run whose shards to merge (its folder is reports/runs/<id>/); or
  --run-dir <dir>   the run folder itself
  --json            print the merged verdict as JSON on stdout (everything else goes to stderr)
  -h, --help        print this help

Exit codes: the merged verdict's: 0 passed; 1 a check failed; 2 usage error (no such run, no shards);
3 inconclusive (including a missing shard); 130 interrupted.`;

type Args = { runDir: string; json: boolean };

function parse(argv: string[]): Args | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        "run-id": { type: "string" },
        "run-dir": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError([error instanceof Error ? error.message : String(error)], USAGE);
  }
  if (values.help) return "help";
  const runId = typeof values["run-id"] === "string" ? values["run-id"] : undefined;
  const dir = typeof values["run-dir"] === "string" ? values["run-dir"] : undefined;
  if ((runId === undefined) === (dir === undefined))
    throw new UsageError(["give exactly one of --run-id <id> or --run-dir <dir>"], USAGE);
  const runDir = dir !== undefined ? resolve(dir) : runDirFor(runId ?? "");
  return { runDir, json: values.json === true };
}

/** The shards present in <run>/blob, and the total they announce (from `i-of-n-` file names). */
export function shardsIn(blobDir: string): { present: number[]; total: number | null } {
  if (!existsSync(blobDir)) return { present: [], total: null };
  const present = new Set<number>();
  let total: number | null = null;
  for (const name of readdirSync(blobDir)) {
    const match = /^(\d+)-of-(\d+)-.*\.zip$/.exec(name);
    if (!match) continue;
    present.add(Number(match[1]));
    total = Math.max(total ?? 0, Number(match[2]));
  }
  return { present: [...present].sort((a, b) => a - b), total };
}

/** The narrowing (--grep, --item) the shards recorded, so the merged verdict keeps it. */
function shardNarrowing(runDir: string): string[] {
  const out = new Set<string>();
  for (const name of readdirSync(runDir)) {
    if (!/^verdict\.shard-.+\.json$/.test(name)) continue;
    try {
      for (const how of readVerdict(join(runDir, name)).scope.narrowedBy) out.add(how);
    } catch {
      // A shard whose verdict cannot be read says so in its own run; the merge judges the blob reports.
    }
  }
  return [...out];
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const human = json ? process.stderr : process.stdout;
  const print = (line = "") => human.write(`${line}\n`);
  let args: Args;
  try {
    const parsed = parse(argv);
    if (parsed === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    args = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const blobDir = join(args.runDir, RUN_LAYOUT.blob);
  const { present, total } = shardsIn(blobDir);
  if (total === null) {
    process.stderr.write(
      `merge: ${relative(process.cwd(), blobDir) || blobDir} holds no shard reports. Run the shards first with ` +
        "npm run verify -- ... --shard i/n --run-id <id> (the same id for every shard), then merge that id.\n",
    );
    return 2;
  }
  const missing = Array.from({ length: total }, (_, index) => index + 1).filter((n) => !present.includes(n));
  if (missing.length > 0)
    print(`merge: shard(s) ${missing.map((n) => `${n}/${total}`).join(", ")} missing from ${blobDir}`);

  const cli = join(repoRoot, "node_modules", "@playwright", "test", "cli.js");
  const code = await new Promise<number>((done) => {
    const child = spawn(
      process.execPath,
      [cli, "merge-reports", "--config", join(repoRoot, "reports", "merge.config.ts"), blobDir],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          [RUN_ENV.runDir]: args.runDir,
          [RUN_ENV.verifyRunner]: "1",
          [RUN_ENV.narrowedBy]: JSON.stringify(shardNarrowing(args.runDir)),
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    child.stdout.on("data", (chunk: Buffer) => human.write(chunk));
    child.on("close", (exit, signal) => done(exit ?? (signal ? 130 : 1)));
  });
  const file = join(args.runDir, RUN_LAYOUT.verdict);
  let verdict: Verdict;
  try {
    verdict = readVerdict(file);
  } catch (error) {
    process.stderr.write(
      `merge: merge-reports exited with ${code} and wrote no verdict (${error instanceof Error ? error.message : String(error)}).\n`,
    );
    return 2;
  }
  if (missing.length > 0 && verdict.outcome !== "failed" && verdict.outcome !== "interrupted") {
    // The shards that ran may have covered every item by chance; the run was still not what was asked for.
    verdict = VerdictSchema.parse({
      ...verdict,
      outcome: "inconclusive",
      exitCode: 3,
      scope: { ...verdict.scope, complete: false },
      reasons: [
        `shard(s) ${missing.map((n) => `${n}/${total}`).join(", ")} of this run did not report; a partial run is never a passing gate`,
        ...verdict.reasons,
      ],
    });
    writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
  }
  if (verdict.reportSha256 !== computeReportSha256(args.runDir)) {
    process.stderr.write("merge: the merged report files do not hash to the verdict's reportSha256.\n");
  }
  print();
  for (const line of formatVerdictSummary(verdict, { color: human.isTTY === true && !process.env.NO_COLOR }))
    print(line);
  print(`File:    ${relative(process.cwd(), file)}`);
  print(`HTML:    ${relative(process.cwd(), join(args.runDir, RUN_LAYOUT.html, "index.html"))}`);
  if (json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
  return verdict.exitCode;
}

runWhenMain("merge", import.meta.filename, main);
