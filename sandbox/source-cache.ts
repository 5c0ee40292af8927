/**
 * On-disk caches keyed by the sources they were built from: the CLI's esbuild bundle of sandbox/ and
 * the Lambda deployment packages. Node built-ins only: the CLI loads this before the sandbox bundle.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";

/** Entries nobody used (or touched) for this long are pruned. */
export const cacheRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** Every file under `path` (relative to `root`); a path that is no directory is a file of its own. */
async function filesUnder(root: string, path: string): Promise<string[]> {
  const entries = await readdir(join(root, path), { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return [path];
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? filesUnder(root, `${path}/${entry.name}`) : [`${path}/${entry.name}`],
    ),
  );
  return nested.flat();
}

/**
 * SHA-256 (hex) over the paths and contents of every file under `paths` (directories or files,
 * relative to `repoRoot`) and the lockfile, so a change to any source or dependency changes it.
 */
export async function sourceFingerprint(repoRoot: string, paths: readonly string[]): Promise<string> {
  const files = (await Promise.all(paths.map((path) => filesUnder(repoRoot, path)))).flat().sort();
  files.push("package-lock.json");
  const contents = await Promise.all(
    files.map((file) => readFile(join(repoRoot, file)).catch(() => Buffer.alloc(0))),
  );
  const hash = createHash("sha256");
  for (const [index, file] of files.entries()) {
    hash.update(`${file}\0`);
    hash.update(contents[index] ?? Buffer.alloc(0));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Marks a cache entry as used now, so pruning keeps it (best effort). */
export async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
}

/** Removes the entries of a cache directory not modified or touched within `retentionMs`. */
export async function pruneCache(cacheDir: string, retentionMs = cacheRetentionMs): Promise<void> {
  const olderThan = Date.now() - retentionMs;
  for (const name of await readdir(cacheDir).catch(() => [])) {
    const path = join(cacheDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < olderThan) await rm(path, { force: true });
  }
}

/** A temporary name beside `path` to write to and then rename over it, so readers never see half a file. */
export function temporaryPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}
