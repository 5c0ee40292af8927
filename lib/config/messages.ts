/** Wording shared by the loader and requireUsable, so every config message reads the same way. */
import type { z } from "zod";

export const CONFIG_VARS_HINT =
  "`npm run runbook -- config-vars` lists every override, its variable and its type";

function kindOf(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "string") return `the string ${JSON.stringify(input)}`;
  if (typeof input === "object") return "an object";
  return `${typeof input} ${String(input)}`;
}

/** zod error map for config values: type errors say what was expected and what came. */
export const configErrorMap = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code !== "invalid_type") return undefined;
  const expected = String(issue.expected);
  const article = /^[aeiou]/.test(expected) ? "an" : "a";
  return `must be ${article} ${expected}, got ${kindOf(issue.input)}`;
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** `did you mean "apiUrl"?` for a near miss, else the list of what is allowed. */
export function suggest(got: string, known: readonly string[]): string {
  const ranked = known
    .map((candidate) => ({ candidate, distance: editDistance(got.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  if (best !== undefined && best.distance <= Math.max(2, Math.floor(got.length / 4))) {
    return `did you mean ${JSON.stringify(best.candidate)}?`;
  }
  return `expected one of ${known.join(", ")}`;
}
