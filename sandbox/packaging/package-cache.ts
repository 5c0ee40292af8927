/**
 * The deployment packages' disk cache: content-addressed by the build spec and a fingerprint of
 * every source that goes into a bundle, so a restart does not re-bundle unchanged code and start-up
 * stays within its budget. The builder (esbuild) is loaded only on a cache miss.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pruneCache, sourceFingerprint, temporaryPathFor, touch } from "../source-cache.ts";
import type { BuildSpec, BuiltPackage } from "./build-package.ts";

/** Builds (or loads) a package: what deploy and the seed need of one. */
export type PackageBuilder = (spec: BuildSpec) => Promise<Pick<BuiltPackage, "zip" | "codeSha256">>;

/**
 * Sources that go into the deployment packages (relative to the repository); any change to them
 * invalidates cached builds. tests/sandbox/source-cache.test.ts checks that it covers what the
 * handlers bundle.
 */
export const packageSources = [
  "sandbox/tenant-api",
  "sandbox/access-api",
  "sandbox/api-common",
  "sandbox/packaging",
  "sandbox/manifest.ts",
] as const;

/** Wraps the package builder with the disk cache in `cacheDir`. */
export function diskCachedBuilder(options: {
  cacheDir: string;
  repoRoot: string;
  loadBuilder: () => Promise<PackageBuilder>;
}): PackageBuilder {
  let fingerprint: Promise<string> | undefined;
  let builder: Promise<PackageBuilder> | undefined;
  let pruned = false;
  const memory = new Map<string, Promise<{ zip: Uint8Array; codeSha256: string }>>();
  return async (spec) => {
    if (!pruned) {
      pruned = true;
      // Entries of sources long gone would pile up; drop those nobody used for a week (best effort).
      void pruneCache(options.cacheDir).catch(() => undefined);
    }
    fingerprint ??= sourceFingerprint(options.repoRoot, packageSources);
    const key = createHash("sha256")
      .update(await fingerprint)
      .update(JSON.stringify(spec))
      .digest("hex")
      .slice(0, 40);
    let pending = memory.get(key);
    if (!pending) {
      pending = (async () => {
        const path = join(options.cacheDir, `${key}.zip`);
        const cached = await readFile(path).catch(() => undefined);
        // A zip starts with "PK"; anything else is a torn write from a killed process: rebuild.
        if (cached && cached.length > 4 && cached[0] === 0x50 && cached[1] === 0x4b) {
          await touch(path);
          return {
            zip: new Uint8Array(cached),
            codeSha256: createHash("sha256").update(cached).digest("base64"),
          };
        }
        builder ??= options.loadBuilder();
        const built = await (await builder)(spec);
        await mkdir(options.cacheDir, { recursive: true });
        const tmp = temporaryPathFor(path);
        await writeFile(tmp, built.zip);
        await rename(tmp, path);
        return { zip: built.zip, codeSha256: built.codeSha256 };
      })();
      memory.set(key, pending);
      pending.catch(() => memory.delete(key));
    }
    const result = await pending;
    // Callers get their own copy: the cached bytes must stay those the CodeSha256 describes.
    return { zip: result.zip.slice(), codeSha256: result.codeSha256 };
  };
}
