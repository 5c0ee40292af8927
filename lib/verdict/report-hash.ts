import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Files of the run folder that are not part of the sealed report: the verdict files themselves
 * (`verdict.json`, `verdict-<project>.json`, `verdict.shard-1-of-2.json`) at the top of the folder.
 */
export const UNHASHED_FILE = /^verdict([.-][^/]*)?\.json$/;

/** Sorted, POSIX-style relative paths of every regular file under `runDir`, minus the verdict. */
export function reportFiles(runDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(runDir, path).split(sep).join("/"));
    }
  };
  walk(runDir);
  return out.filter((file) => !UNHASHED_FILE.test(file)).sort();
}

/**
 * SHA-256 (hex) over the run folder's report files: for each file in sorted relative-path order, the path,
 * a NUL, the content length, a NUL, then the content. Length-prefixing keeps file boundaries unambiguous.
 */
export function computeReportSha256(runDir: string): string {
  const hash = createHash("sha256");
  for (const file of reportFiles(runDir)) {
    const content = readFileSync(join(runDir, file));
    hash.update(`${file}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex");
}
