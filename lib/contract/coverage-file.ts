import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COVERAGE_FILE, type CoverageReport, coverageFromRequestLog } from "./coverage.ts";

/** Name of the run folder's request log (lib/run's RUN_LAYOUT.requests). */
const REQUESTS_FILE = "requests.jsonl";

/**
 * Recomputes `coverage.json` in a run folder from its `requests.jsonl` and writes it atomically
 * (temporary file + rename), so a reader never sees half a file. Returns the report.
 */
export function writeCoverageFile(runDir: string, options: { baseUrl?: string } = {}): CoverageReport {
  const logFile = join(runDir, REQUESTS_FILE);
  const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const report = coverageFromRequestLog(text, options.baseUrl);
  const target = join(runDir, COVERAGE_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, target);
  return report;
}
