/** Per-item judgements of the shared monitoring window, so a fault fails its own item and no other. */
import { formatNumber } from "../metrics/index.ts";
import { combine, type Finding, failed, inconclusive, passed } from "./finding.ts";
import type { FunctionWindow } from "./window.ts";

/** How one runbook item fared in each function's window; no window at all is inconclusive (nothing watched). */
export function judgeWindowItem(itemId: string, windows: readonly FunctionWindow[]): Finding {
  if (windows.length === 0) {
    return inconclusive(`No monitoring window ran, so ${itemId} was not watched.`, { itemId });
  }
  return combine(windows.map((w) => judgeOne(itemId, w)));
}

function judgeOne(itemId: string, w: FunctionWindow): Finding {
  const rules = w.rules.filter((r) => r.itemIds.includes(itemId));
  const { decision } = w;
  const evidence = {
    functionName: w.functionName,
    target: w.target,
    windowStartedAt: new Date(w.startedAt).toISOString(),
    rules: rules.map((r) => ({ id: r.id, measure: r.measure, failWhen: r.failWhen, forMs: r.forMs ?? null })),
    baseline: w.baseline,
    decision: {
      kind: decision.kind,
      reason: decision.reason,
      elapsedMs: decision.elapsedMs,
      polls: decision.polls,
    },
    series: decision.evidence,
  };
  if (rules.length === 0) {
    const skipped = w.skipped.filter((s) => s.itemId === itemId).map((s) => `${s.metric}: ${s.reason}`);
    return inconclusive(
      `${w.functionName}: no monitor rule watches ${itemId}${skipped.length > 0 ? ` (${skipped.join("; ")})` : " (it has no Lambda threshold)"}.`,
      evidence,
    );
  }
  switch (decision.kind) {
    case "fail": {
      const mine = decision.breaches.filter((b) => b.itemIds.includes(itemId));
      if (mine.length > 0) {
        return failed(
          `${w.functionName}: ${mine.map((b) => b.reason).join(" ")} Detected ${formatNumber(decision.elapsedMs / 1000)} s into the window, ${formatNumber((decision.at - (mine[0]?.onsetAt ?? decision.at)) / 1000)} s after its onset.`,
          { ...evidence, breaches: mine },
        );
      }
      return inconclusive(
        `${w.functionName}: the window stopped after ${formatNumber(decision.elapsedMs / 1000)} s because ${decision.breach.ruleId} crossed its threshold, so ${itemId} was not watched for the full window.`,
        evidence,
      );
    }
    case "inconclusive":
      return decision.itemIds.includes(itemId)
        ? inconclusive(`${w.functionName}: ${decision.reason}`, evidence)
        : passed(
            `${w.functionName}: ${itemId} held for the full window (another item lacked data: ${decision.reason})`,
            evidence,
          );
    case "pass":
      return passed(`${w.functionName}: ${decision.reason}`, evidence);
  }
}
