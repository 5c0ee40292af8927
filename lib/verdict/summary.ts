/**
 * The verdict as a person reads it on a console: one headline whose word and exit code are the verdict's,
 * counts of items and of tests by status, and each problem once, whole, with the same cause collapsed.
 */
import type { Outcome, Verdict, VerdictItem } from "./schema.ts";

/** The printed word of a verdict: its outcome, and PARTIAL when the run covered only part of its suite. */
export function outcomeWord(verdict: Pick<Verdict, "outcome" | "scope">): string {
  const word = verdict.outcome.toUpperCase();
  return verdict.outcome === "passed" && !verdict.scope.complete ? `${word} (PARTIAL)` : word;
}

export type SummaryStyle = {
  /** Wrap long reasons at this many columns (default 100). */
  width?: number;
  /** Colour the verdict word (ANSI); callers decide from the TTY and NO_COLOR. */
  color?: boolean;
};

const COLORS: Record<Outcome, string> = {
  passed: "\u001b[32m",
  failed: "\u001b[31m",
  error: "\u001b[35m",
  inconclusive: "\u001b[33m",
  interrupted: "\u001b[33m",
};
const RESET = "\u001b[0m";

/**
 * Wraps text to a width, every line after the first indented; words longer than the width stay whole. The
 * first line's leading spaces are kept; `prefix` (e.g. an aligned status column) is put before it as is.
 */
export function wrap(text: string, width: number, indent: string, prefix = ""): string[] {
  const lead = prefix + (/^\s*/.exec(text)?.[0] ?? "");
  const lines: string[] = [];
  let line = lead;
  let words = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (words > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = words === 0 ? `${line}${word}` : `${line} ${word}`;
    words++;
  }
  if (words > 0) lines.push(line);
  return lines;
}

/** Items that are not a plain pass, grouped by status and reason, in the order a reader acts on them. */
export function problemGroups(
  items: readonly VerdictItem[],
): { status: VerdictItem["status"]; reason: string; ids: string[] }[] {
  const order: VerdictItem["status"][] = [
    "failed",
    "missing-attestation",
    "flaky",
    "inconclusive",
    "skipped-by-policy",
    "not-applicable",
  ];
  const groups = new Map<string, { status: VerdictItem["status"]; reason: string; ids: string[] }>();
  for (const item of items) {
    if (item.status === "passed" || item.status === "attested") continue;
    const reason = item.reason ?? "";
    const key = `${item.status}\u0000${reason}`;
    const group = groups.get(key) ?? { status: item.status, reason, ids: [] };
    group.ids.push(item.id);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
}

/** The console summary of a verdict, as lines. */
export function formatVerdictSummary(verdict: Verdict, style: SummaryStyle = {}): string[] {
  const width = style.width ?? 100;
  const c = verdict.counts;
  const t = c.testsByStatus;
  const word = outcomeWord(verdict);
  const shown = style.color ? `${COLORS[verdict.outcome]}${word}${RESET}` : word;
  const out: string[] = [];
  out.push(
    `Verdict: ${shown} (exit ${verdict.exitCode})  ${verdict.suite} on ${verdict.environment}, ${verdict.service}`,
  );
  out.push(`Target:  ${verdict.target}`);
  if (verdict.version) {
    out.push(
      `Version: ${verdict.version.alias} -> ${verdict.version.functionVersion} (${verdict.version.appVersion}), CodeSha256 ${verdict.codeSha256}`,
    );
  }
  if (verdict.guard.status === "failed")
    out.push(`Guard:   FAILED, no check ran. ${verdict.guard.message ?? ""}`);
  out.push(
    `Items:   ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.inconclusive} inconclusive, ` +
      `${c.skippedByPolicy} skipped-by-policy, ${c.notApplicable} not-applicable, ${c.attested} attested, ` +
      `${c.missingAttestation} missing-attestation`,
  );
  out.push(
    `Tests:   ${t.total}: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.inconclusive} inconclusive, ` +
      `${t.skippedByPolicy} skipped-by-policy, ${t.notApplicable} not-applicable`,
  );
  const scope = verdict.scope;
  if (!scope.complete || scope.narrowedBy.length > 0) {
    const how = [...scope.narrowedBy, ...(scope.shard ? [`shard ${scope.shard}`] : [])].join(", ");
    out.push(
      `Scope:   ${scope.complete ? "complete" : "PARTIAL"}${how ? ` (${how})` : ""}; ${verdict.notCovered.length} item(s) of the suite not covered${scope.complete ? "" : ": a promotion does not accept this verdict"}`,
    );
  }
  const groups = problemGroups(verdict.items);
  const quiet = new Set<VerdictItem["status"]>(["skipped-by-policy", "not-applicable"]);
  for (const group of groups) {
    const head =
      group.ids.length === 1 ? (group.ids[0] ?? "") : `${group.ids.length} items (${group.ids.join(", ")})`;
    const column = `  ${group.status.padEnd(19)} `;
    if (quiet.has(group.status) && verdict.outcome === "passed") {
      out.push(...wrap(head, width, " ".repeat(23), column));
      continue;
    }
    out.push(...wrap(`${head}${group.reason ? `: ${group.reason}` : ""}`, width, " ".repeat(23), column));
  }
  // Reasons about the run as a whole; those about one item were printed with the item.
  const itemIds = verdict.items.map((item) => item.id);
  for (const reason of verdict.reasons) {
    if (itemIds.some((id) => reason.startsWith(`${id}:`))) continue;
    if (verdict.outcome === "passed" && /^\d+ item\(s\) verified$/.test(reason)) continue;
    // The Scope line above already says so.
    if (reason.startsWith("partial run (")) continue;
    out.push(...wrap(`  reason: ${reason}`, width, "          "));
  }
  return out;
}
