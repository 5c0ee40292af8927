import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

// Read as text, not imported: the test must see every judge, also one no module re-exports.
const checksDir = new URL("../../lib/checks/", import.meta.url);
const unitDir = new URL("./", import.meta.url);

function judgesOf(source: string): string[] {
  return [...source.matchAll(/^export\s+(?:async\s+)?function\s+(judge\w*)\s*[(<]/gm)].flatMap((m) =>
    m[1] === undefined ? [] : [m[1]],
  );
}

/** Names imported from lib/checks by one test file (`import { a, type B } from ".../lib/checks/x.ts"`). */
function importedFromChecks(source: string): string[] {
  return [
    ...source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*"[^"]*\/lib\/checks\/[^"]*"/g),
  ].flatMap((m) =>
    (m[1] ?? "")
      .split(",")
      .map(
        (name) =>
          name
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0] ?? "",
      )
      .filter((name) => name !== ""),
  );
}

const judges = readdirSync(checksDir)
  .filter((file) => file.endsWith(".ts"))
  .flatMap((file) =>
    judgesOf(readFileSync(new URL(file, checksDir), "utf8")).map((name) => ({ file, name })),
  );

const imported = new Set(
  readdirSync(unitDir)
    .filter((file) => file.endsWith(".test.ts"))
    .flatMap((file) => importedFromChecks(readFileSync(new URL(file, unitDir), "utf8"))),
);

test("lib/checks exports judges (the regex still finds them)", () => {
  assert.ok(judges.length >= 10, `found only ${judges.map((j) => j.name).join(", ") || "no judges"}`);
});

test("every exported judge of lib/checks is imported by a unit test", () => {
  const untested = judges.filter((j) => !imported.has(j.name)).map((j) => `${j.name} (lib/checks/${j.file})`);
  assert.deepEqual(
    untested,
    [],
    `Judges no tests/unit/*.test.ts imports: ${untested.join(", ")}. Add a unit test of each on plain data (tests/unit/checks-<module>.test.ts).`,
  );
});
