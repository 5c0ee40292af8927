import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomically } from "../files/index.ts";
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
  writeJsonAtomically(join(runDir, COVERAGE_FILE), report);
  return report;
}
