/** The traceability rule: every automated runbook item is verified by a test; every declared id exists. */
import { allRunbookItems, type LocatedRunbookItem, type Runbook } from "../../runbooks/index.ts";

export interface TraceabilityResult {
  /** Automated items no test declares. */
  untested: LocatedRunbookItem[];
  /** Ids tests declare that no runbook has (a typo, or an item that was renamed). */
  unknownIds: string[];
}

/** Applies the rule to the given runbooks and the tested-items map from collectTestedItems. */
export function checkTraceability(
  runbooks: readonly Runbook[],
  testedItems: ReadonlyMap<string, readonly string[]>,
): TraceabilityResult {
  const items = allRunbookItems(runbooks);
  const known = new Set(items.map((item) => item.id));
  const untested = items.filter(
    (item) => item.kind === "automated" && (testedItems.get(item.id)?.length ?? 0) === 0,
  );
  const unknownIds = [...testedItems.keys()].filter((id) => !known.has(id)).sort();
  return { untested, unknownIds };
}

/** A readable summary of a failed check (empty string when it passed). */
export function describeTraceability(
  result: TraceabilityResult,
  testedItems: ReadonlyMap<string, readonly string[]>,
): string {
  const lines: string[] = [];
  if (result.untested.length > 0) {
    lines.push(`${result.untested.length} automated runbook item(s) have no test declaring them:`);
    for (const item of result.untested) lines.push(`  ${item.id} (suite ${item.suite}): ${item.title}`);
  }
  if (result.unknownIds.length > 0) {
    lines.push(`${result.unknownIds.length} runbook-item annotation(s) name no runbook item:`);
    for (const id of result.unknownIds) lines.push(`  ${id} in ${(testedItems.get(id) ?? []).join("; ")}`);
  }
  if (lines.length > 0) {
    lines.push(
      'Add verifies("<item id>") to a test that checks the item, or fix the id (`npm run runbook -- list` shows them).',
    );
  }
  return lines.join("\n");
}
