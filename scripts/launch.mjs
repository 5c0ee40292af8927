/**
 * `node scripts/launch.mjs <scripts/name.ts> [args...]`: runs one of the harness's TypeScript commands from an
 * esbuild bundle of it when one exists for the current sources, else from the sources under tsx (and makes the
 * bundle for the next run in the background). Under tsx, a command spends about 0.4 s of CPU transpiling and
 * loading its ~100 modules one by one through loader hooks; a bundle loads in a fraction of that, and verify,
 * promote and rollback start many times a day (and many times in each promotion).
 *
 * The cache (.cache/scripts/) is keyed by a SHA-256 over every source file the bundle was built from (esbuild's
 * metafile lists them) and the lockfile: a change to any of them makes the next run use the sources again and
 * rebuild. Paths the sources compute from their own location (import.meta.url, dirname, filename) are pinned to
 * the source files, so the bundle behaves like the sources. Packages stay external. Plain JavaScript with Node
 * built-ins only, because it runs before any TypeScript can.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const repoRoot = resolve(import.meta.dirname, "..");
const cacheDir = join(repoRoot, ".cache", "scripts");
/** A build that has not finished in this long is abandoned; the next run may try again. */
const BUILD_LOCK_STALE_MS = 120_000;

/** The cache's names for one script: its input list, its bundles (each `<bundlePrefix><key>.mjs`) and its build lock. */
function cacheNames(script) {
  const base = relative(repoRoot, script).replaceAll(/[^A-Za-z0-9]+/g, "_");
  return {
    inputs: join(cacheDir, `${base}.inputs.json`),
    bundlePrefix: `${base}-`,
    bundle: (key) => join(cacheDir, `${base}-${key}.mjs`),
    lock: join(cacheDir, `${base}.building`),
  };
}

/** SHA-256 over the paths and contents of `inputs` (relative to the repository) and the lockfile. */
function fingerprint(inputs) {
  const hash = createHash("sha256");
  for (const file of [...inputs, "package-lock.json"]) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(join(repoRoot, file)));
    } catch {
      // A deleted input: its absence is part of the key, so a bundle that had it does not match.
      hash.update("\u0001missing");
    }
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}

/** The bundle built from the current sources, or null. */
function currentBundle(script) {
  const names = cacheNames(script);
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(names.inputs, "utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(inputs) || !inputs.every((input) => typeof input === "string")) return null;
  const bundle = names.bundle(fingerprint(inputs));
  return existsSync(bundle) ? bundle : null;
}

/** Builds the script's bundle and its input list (the `--build` mode, run in the background). */
async function build(script) {
  const names = cacheNames(script);
  mkdirSync(cacheDir, { recursive: true });
  const { build: esbuild } = await import("esbuild");
  const tmp = `${names.inputs}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const result = await esbuild({
    entryPoints: [script],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: tmp,
    packages: "external",
    metafile: true,
    write: false,
    logLevel: "silent",
    banner: {
      js: "import { createRequire as __bbwsCreateRequire } from 'node:module'; const require = __bbwsCreateRequire(import.meta.url);",
    },
    plugins: [
      {
        name: "pin-import-meta-to-sources",
        setup(context) {
          context.onLoad({ filter: /\.(ts|mts|mjs|js)$/ }, async (args) => {
            if (args.path.includes(`${join("node_modules", "")}`)) return undefined;
            const text = (await readFile(args.path, "utf8"))
              .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
              .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
              .replaceAll("import.meta.filename", JSON.stringify(args.path));
            return { contents: text, loader: args.path.endsWith("ts") ? "ts" : "js" };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => relative(repoRoot, resolve(input)))
    .filter((input) => !input.startsWith("..") && !input.includes("node_modules"))
    .sort();
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote no bundle for ${script}`);
  const bundle = names.bundle(fingerprint(inputs));
  // Bundle first, then the list that finds it: a reader never finds a list whose bundle is half written.
  await writeFile(tmp, output.contents);
  renameSync(tmp, bundle);
  await writeFile(tmp, `${JSON.stringify(inputs)}\n`);
  renameSync(tmp, names.inputs);
  pruneBundles(script, bundle);
}

/** Removes the script's bundles of older sources, once no run is likely to be still loading one. */
function pruneBundles(script, keep) {
  const prefix = cacheNames(script).bundlePrefix;
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (!name.startsWith(prefix) || !name.endsWith(".mjs") || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > BUILD_LOCK_STALE_MS) unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
}

/** Starts one background build of the script's bundle, unless another process is building it. */
function buildInBackground(script) {
  const { lock } = cacheNames(script);
  try {
    mkdirSync(cacheDir, { recursive: true });
    try {
      if (Date.now() - statSync(lock).mtimeMs > BUILD_LOCK_STALE_MS) unlinkSync(lock);
    } catch {
      // No lock yet.
    }
    closeSync(openSync(lock, "wx"));
  } catch {
    return; // Another run is building it (or the cache is not writable: the sources keep working).
  }
  const child = spawn(process.execPath, [import.meta.filename, "--build", script], {
    cwd: repoRoot,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, BBWS_LAUNCH_LOCK: lock },
  });
  child.on("error", () => undefined);
  child.unref();
}

const [first, ...rest] = process.argv.slice(2);
if (first === "--build") {
  const script = resolve(rest[0] ?? "");
  try {
    await build(script);
  } finally {
    if (process.env.BBWS_LAUNCH_LOCK) {
      try {
        unlinkSync(process.env.BBWS_LAUNCH_LOCK);
      } catch {
        // Already gone.
      }
    }
  }
} else {
  if (first === undefined || !first.endsWith(".ts")) {
    process.stderr.write("usage: node scripts/launch.mjs <scripts/name.ts> [args...]\n");
    process.exit(2);
  }
  const script = resolve(first);
  // The command sees itself as the main module, as under `node --import tsx scripts/name.ts`.
  process.argv.splice(1, 2, script);
  const bundle = process.env.BBWS_NO_BUNDLE ? null : currentBundle(script);
  const trace = (line) => {
    if (process.env.BBWS_LAUNCH_TRACE) process.stderr.write(`launch: ${line}\n`);
  };
  let loaded = false;
  if (bundle) {
    trace(`bundle ${relative(repoRoot, bundle)}`);
    try {
      await import(pathToFileURL(bundle).href);
      loaded = true;
    } catch (error) {
      // Pruned between the lookup and the import: run the sources instead. Anything else is the command's own.
      if (
        !(
          error instanceof Error &&
          "code" in error &&
          error.code === "ERR_MODULE_NOT_FOUND" &&
          !existsSync(bundle)
        )
      )
        throw error;
    }
  }
  if (!loaded) {
    trace(`sources of ${relative(repoRoot, script)} under tsx`);
    await import("tsx");
    if (!process.env.BBWS_NO_BUNDLE && !process.env.BBWS_NO_BACKGROUND_BUILD) buildInBackground(script);
    await import(pathToFileURL(script).href);
  }
}
