import type { CheckStatus } from "../metrics/index.ts";

/** The outcome of one post-deploy check: a status, the sentence a person reads, and evidence to attach. */
export interface Finding {
  readonly status: CheckStatus;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A passed finding. */
export const passed = (reason: string, evidence: Record<string, unknown> = {}): Finding => ({
  status: "passed",
  reason,
  evidence,
});

/** A failed finding. */
export const failed = (reason: string, evidence: Record<string, unknown> = {}): Finding => ({
  status: "failed",
  reason,
  evidence,
});

/** An inconclusive finding: the target gave no data to judge. */
export const inconclusive = (reason: string, evidence: Record<string, unknown> = {}): Finding => ({
  status: "inconclusive",
  reason,
  evidence,
});

/** The worst of several findings (failed > inconclusive > passed), reasons joined (a reason said twice, once). */
export function combine(findings: readonly Finding[]): Finding {
  const rank = { passed: 0, inconclusive: 1, failed: 2 } as const;
  const worst = findings.reduce<Finding["status"]>(
    (w, f) => (rank[f.status] > rank[w] ? f.status : w),
    "passed",
  );
  const relevant = findings.filter((f) => f.status === worst);
  return {
    status: worst,
    // Judges of one test that share a cause (no rollback recorded) give the same reason: it is said once.
    reason: [...new Set(relevant.map((f) => f.reason))].join(" "),
    evidence: Object.assign({}, ...findings.map((f) => f.evidence)),
  };
}
