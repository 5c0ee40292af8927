/** One CI-evidence kind of a runbook item, read from the evidence folder and judged (lib/checks/ci-evidence.ts). */
import type { CiEvidenceKind, Threshold } from "../../runbooks/index.ts";
import {
  judgeCoverage,
  judgeLintReport,
  judgeSecurityScan,
  judgeTestReport,
  readCoverageReport,
  readLintReport,
  readSecurityScan,
  readTestReport,
} from "./ci-evidence.ts";
import type { Finding } from "./finding.ts";

/** Reads the kind's report from `dir` and judges it; coverage uses the item's coverage threshold. */
export function checkCiEvidence(
  dir: string,
  kind: CiEvidenceKind,
  thresholds: readonly Threshold[],
): Finding {
  switch (kind) {
    case "coverage": {
      const threshold = thresholds.find((t) => t.metric === "coverage");
      const comparison = threshold?.comparison === ">" ? ">" : ">=";
      return judgeCoverage(readCoverageReport(dir), { comparison, value: threshold?.value ?? 80 });
    }
    case "security":
      return judgeSecurityScan(readSecurityScan(dir));
    case "lint":
      return judgeLintReport(readLintReport(dir));
    default:
      return judgeTestReport(kind, readTestReport(dir, kind));
  }
}
