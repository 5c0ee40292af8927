/**
 * The totals `node --test` prints at the end of its TAP output (`# tests 6`, `# pass 3`, ...), read back
 * so `npm test` can end on one line a person or a CI log search can rely on.
 */

export type TapTotals = {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
  todo: number;
};

const COUNTERS = ["tests", "pass", "fail", "cancelled", "skipped", "todo"] as const;

/**
 * The run's totals from (the end of) its TAP output, or null when they are not there (the runner was
 * killed before it printed them). A test that prints `# tests ...` itself cannot fool it: the runner's
 * own block is the last one.
 */
export function readTapTotals(tap: string): TapTotals | null {
  const lines = tap.split(/\r?\n/);
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^# tests \d+$/.test(lines[i] ?? "")) {
      start = i;
      break;
    }
  }
  if (start === -1) return null;
  const found = new Map<string, number>();
  for (const line of lines.slice(start, start + 10)) {
    const match = /^# ([a-z_]+) (\d+)(?:\.\d+)?$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) found.set(match[1], Number(match[2]));
  }
  const count = (counter: (typeof COUNTERS)[number]) => found.get(counter);
  if (COUNTERS.some((counter) => count(counter) === undefined)) return null;
  return {
    tests: count("tests") ?? 0,
    pass: count("pass") ?? 0,
    fail: count("fail") ?? 0,
    cancelled: count("cancelled") ?? 0,
    skipped: count("skipped") ?? 0,
    todo: count("todo") ?? 0,
  };
}

/**
 * The closing lines of `npm test`: a breakdown, then exactly `Total: N passed, N failed, N skipped`.
 * Cancelled tests (a file that crashed, a timeout) count as failed; todo tests count as skipped.
 */
export function formatTapTotals(totals: TapTotals): string[] {
  const failed = totals.fail + totals.cancelled;
  const skipped = totals.skipped + totals.todo;
  return [
    `Of ${totals.tests} tests: ${totals.todo} todo (counted as skipped), ${totals.cancelled} cancelled (counted as failed)`,
    `Total: ${totals.pass} passed, ${failed} failed, ${skipped} skipped`,
  ];
}
