/**
 * The source fingerprint behind the CLI's bundle cache and the package cache: what changes it, and
 * that the package cache's sources cover every file the handlers bundle (else a change to one would
 * be served from a stale cached package).
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { packageSources } from "../../sandbox/packaging/package-cache.ts";
import { pruneCache, sourceFingerprint, touch } from "../../sandbox/source-cache.ts";

const repoRoot = resolve(import.meta.dirname, "..", "..");

describe("sourceFingerprint", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bbws-fingerprint-"));
    await mkdir(join(root, "src", "nested"), { recursive: true });
    await writeFile(join(root, "src", "a.ts"), "a");
    await writeFile(join(root, "src", "nested", "b.ts"), "b");
    await writeFile(join(root, "single.ts"), "single");
    await writeFile(join(root, "package-lock.json"), "{}");
  });
  after(() => rm(root, { recursive: true, force: true }));

  test("changes with any file under a directory, a listed file or the lockfile, and only then", async () => {
    const paths = ["src", "single.ts"];
    const first = await sourceFingerprint(root, paths);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(
      await sourceFingerprint(root, [...paths].reverse()),
      first,
      "the order of paths does not matter",
    );
    for (const [file, content] of [
      ["src/nested/b.ts", "b2"],
      ["single.ts", "single2"],
      ["package-lock.json", '{"v":2}'],
    ] as const) {
      const before = await sourceFingerprint(root, paths);
      await writeFile(join(root, file), content);
      assert.notEqual(await sourceFingerprint(root, paths), before, `a change to ${file}`);
    }
    const settled = await sourceFingerprint(root, paths);
    await writeFile(join(root, "elsewhere.ts"), "x");
    assert.equal(await sourceFingerprint(root, paths), settled, "a file outside the paths does not count");
    await writeFile(join(root, "src", "new.ts"), "new");
    assert.notEqual(await sourceFingerprint(root, paths), settled, "a new file under a directory counts");
  });

  test("pruneCache removes entries not used within the retention, touch keeps one", async () => {
    const cache = join(root, "cache");
    await mkdir(cache);
    const old = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000);
    for (const name of ["stale.zip", "used.zip", "fresh.zip"]) {
      await writeFile(join(cache, name), "PK");
      if (name !== "fresh.zip") await utimes(join(cache, name), old, old);
    }
    await touch(join(cache, "used.zip"));
    await pruneCache(cache);
    assert.deepEqual((await readdir(cache)).sort(), ["fresh.zip", "used.zip"]);
    await pruneCache(join(root, "no-such-cache"));
  });
});

test("the package cache's sources cover every sandbox file the handlers bundle", async () => {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ["sandbox/tenant-api/index.ts", "sandbox/access-api/index.ts"],
    bundle: true,
    format: "esm",
    platform: "node",
    outdir: join(tmpdir(), "bbws-bundle-inputs"),
    write: false,
    metafile: true,
    external: ["@aws-sdk/*"],
    logLevel: "silent",
  });
  const bundled = Object.keys(result.metafile.inputs)
    .map((input) => relative(repoRoot, resolve(repoRoot, input)))
    .filter((path) => path.startsWith("sandbox/"));
  assert.ok(bundled.includes("sandbox/tenant-api/index.ts"), bundled.join("\n"));
  const uncovered = bundled.filter(
    (path) => !packageSources.some((source) => path === source || path.startsWith(`${source}/`)),
  );
  assert.deepEqual(uncovered, [], "add these to packageSources in sandbox/packaging/package-cache.ts");
});
