import { allRunbookItems, type Runbook, type SuiteId } from "../../runbooks/index.ts";
import { suitePurposes } from "../../runbooks/suites.ts";

/** The section numbers, in runbook order, whose automated items a suite verifies, per runbook. */
export function sectionsBySuite(runbooks: readonly Runbook[]): Map<SuiteId, Map<string, string[]>> {
  const out = new Map<SuiteId, Map<string, string[]>>();
  for (const item of allRunbookItems(runbooks)) {
    if (item.kind !== "automated") continue;
    const perRunbook = out.get(item.suite) ?? new Map<string, string[]>();
    const sections = perRunbook.get(item.runbookId) ?? [];
    if (!sections.includes(item.sectionNumber)) sections.push(item.sectionNumber);
    perRunbook.set(item.runbookId, sections);
    out.set(item.suite, perRunbook);
  }
  return out;
}

const SHORT: Record<string, string> = { "tenant-deploy": "tenant", "access-promotion": "access" };

/**
 * The README's table of suites: which runbook sections each verifies (from the items' `suite`), and what it
 * checks; a suite without specs yet says so. Pinned by a unit test, so the README cannot drift from the data.
 */
export function suiteTableMarkdown(runbooks: readonly Runbook[], suitesWithSpecs: readonly string[]): string {
  const sections = sectionsBySuite(runbooks);
  const rows = (Object.keys(suitePurposes) as (keyof typeof suitePurposes)[]).map((suite) => {
    const perRunbook = sections.get(suite) ?? new Map<string, string[]>();
    const where = [...perRunbook]
      .map(([id, numbers]) => `${SHORT[id] ?? id} ${numbers.join(", ")}`)
      .join("; ");
    const purpose = suitesWithSpecs.includes(suite)
      ? suitePurposes[suite]
      : `planned (no specs yet): ${suitePurposes[suite]}`;
    return [`\`${suite}\``, where || "none", purpose];
  });
  const header = ["suite", "runbook sections", "what it checks"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
