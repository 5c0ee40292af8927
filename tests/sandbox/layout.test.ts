/**
 * The sandbox's import directions (docs/sandbox-interface.md, "Inside sandbox/"): the Lambda handlers'
 * code never reaches into the package builder, the shared runtime depends on neither API, and the AWS
 * services know nothing of the APIs they run.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const repoRoot = resolve(import.meta.dirname, "..", "..");

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(join(repoRoot, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? sourcesUnder(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
    ),
  );
  return nested.flat().filter((path) => /\.(ts|mjs)$/.test(path));
}

/** The repository paths a source file imports (static and dynamic relative imports). */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(repoRoot, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] ?? "");
  return specifiers.map((specifier) => relative(repoRoot, resolve(repoRoot, dirname(file), specifier)));
}

const rules: { from: string; mayNotImport: string[] }[] = [
  {
    from: "sandbox/api-common",
    mayNotImport: ["sandbox/packaging", "sandbox/tenant-api", "sandbox/access-api"],
  },
  { from: "sandbox/tenant-api", mayNotImport: ["sandbox/packaging", "sandbox/access-api"] },
  { from: "sandbox/access-api", mayNotImport: ["sandbox/packaging", "sandbox/tenant-api"] },
  {
    from: "sandbox/aws",
    mayNotImport: ["sandbox/packaging", "sandbox/tenant-api", "sandbox/access-api", "sandbox/api-common"],
  },
];

test("sandbox imports point one way: packaging -> the APIs -> api-common -> manifest.ts", async () => {
  const problems: string[] = [];
  for (const rule of rules) {
    for (const file of await sourcesUnder(rule.from)) {
      for (const target of await importsOf(file)) {
        const banned = rule.mayNotImport.find((dir) => target.startsWith(`${dir}/`));
        if (banned) problems.push(`${file} imports ${target}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("api-common imports nothing of the sandbox but itself and manifest.ts", async () => {
  const outside: string[] = [];
  for (const file of await sourcesUnder("sandbox/api-common")) {
    for (const target of await importsOf(file)) {
      if (!target.startsWith("sandbox/api-common/") && target !== "sandbox/manifest.ts") {
        outside.push(`${file} imports ${target}`);
      }
    }
  }
  assert.deepEqual(outside, []);
});
