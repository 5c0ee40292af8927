/**
 * The sandbox's manifest is the one list of fault kinds: the interface doc and the README name exactly
 * those, and what the manifest says about a fault (its default route, its delay) holds for the
 * services it describes.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import {
  defaultDelayMs,
  defaultTenantRoute,
  delayedFaultKinds,
  faultKinds,
  faultManifest,
  packageFaultKinds,
  platformFaultKinds,
  routedFaultKinds,
} from "../../sandbox/manifest.ts";
import { tenantRoutes } from "../../sandbox/tenant-api/routes.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const read = (path: string) => readFile(resolve(repoRoot, path), "utf8");

/** The backticked words of `text`. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
}

/** The manifest's fault kinds that `text` names in backticks, in the manifest's order. */
function kindsNamedIn(text: string): string[] {
  const spans = new Set(codeSpans(text));
  return faultKinds.filter((kind) => spans.has(kind));
}

/** The list item of `doc` that starts with `start`, up to the next item or paragraph. */
function listItem(doc: string, start: string): string {
  const from = doc.indexOf(`- ${start}`);
  assert.notEqual(from, -1, `docs/sandbox-interface.md has no list item starting "- ${start}"`);
  const rest = doc.slice(from + 2);
  const end = rest.search(/\n(- |\n)/);
  return end === -1 ? rest : rest.slice(0, end);
}

describe("the fault manifest", () => {
  test("docs/sandbox-interface.md lists exactly the manifest's fault kinds, in its order", async () => {
    const doc = await read("docs/sandbox-interface.md");
    const union = /`FaultKind` = `([^`]+)`/.exec(doc)?.[1];
    assert.ok(union, "docs/sandbox-interface.md defines `FaultKind` = `a | b | ...`");
    assert.deepEqual(
      union.split("|").map((kind) => kind.trim()),
      [...faultKinds],
    );
    const packaged = listItem(doc, "Built into the package");
    assert.deepEqual(kindsNamedIn(packaged), [...packageFaultKinds]);
    assert.deepEqual(kindsNamedIn(listItem(doc, "Applied on the platform")), [...platformFaultKinds]);
    const spans = codeSpans(packaged);
    for (const kind of routedFaultKinds) {
      const route = defaultTenantRoute(kind);
      assert.ok(route !== undefined && spans.includes(route), `the doc names ${kind}'s default ${route}`);
    }
    for (const kind of delayedFaultKinds) {
      assert.match(
        packaged,
        new RegExp(`\`${kind}\` takes \`delayMs\` \\(default ${defaultDelayMs(kind)}\\)`),
      );
    }
  });

  test("the README's fault list names exactly the manifest's fault kinds", async () => {
    const readme = await read("README.md");
    const paragraph = readme.split(/\n\s*\n/).find((text) => text.startsWith("Fault builds ("));
    assert.ok(paragraph, 'README.md has the paragraph "Fault builds (...)"');
    assert.deepEqual(new Set(codeSpans(paragraph)), new Set(faultKinds));
  });

  test("every fault is built into the package or applied on the platform, never both", () => {
    assert.deepEqual([...packageFaultKinds, ...platformFaultKinds].sort(), [...faultKinds].sort());
    assert.equal(new Set(faultKinds).size, faultManifest.length, "fault kinds are unique");
  });

  test("routed faults default to a route of the tenant API", () => {
    const keys: readonly string[] = tenantRoutes.map((route) => route.key);
    assert.deepEqual([...routedFaultKinds], ["endpoint-5xx", "slow-endpoint", "contract-drift"]);
    for (const kind of routedFaultKinds) {
      const route = defaultTenantRoute(kind);
      assert.ok(route !== undefined && keys.includes(route), `${kind} defaults to ${route}`);
    }
  });
});
