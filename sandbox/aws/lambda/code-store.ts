/**
 * Deployment packages by content: the exact bytes (served back by GetFunction's Code.Location so a
 * promotion can copy a package between accounts) and, on first invoke, an unpacked copy under
 * `<codeDir>/<sha256-hex>/`. The code dir sits inside the repository on purpose: bare imports in a
 * handler (`@aws-sdk/client-dynamodb`, `jose`) then resolve from the repository's node_modules, as the
 * Lambda Node.js runtime provides the AWS SDK.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { unzipSync } from "fflate";
import { AwsServiceError, LambdaCodeStoreError } from "../errors.ts";

export interface StoredPackage {
  /** base64(sha256(bytes)), Lambda's CodeSha256. */
  codeSha256: string;
  shaHex: string;
  size: number;
  bytes: Buffer;
}

function unzipOrRefuse(bytes: Buffer): Record<string, Uint8Array> {
  try {
    return unzipSync(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new AwsServiceError(
      "InvalidParameterValueException",
      "Could not unzip uploaded file. Please check your file, then try to upload again.",
      { cause: error },
    );
  }
}

function safeEntryPath(root: string, entry: string): string | undefined {
  if (entry.endsWith("/")) return undefined;
  const target = normalize(join(root, entry));
  return target.startsWith(root + sep) ? target : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class CodeStore {
  readonly #codeDir: string;
  readonly #packages = new Map<string, StoredPackage>();
  readonly #unpacked = new Map<string, Promise<string>>();

  constructor(codeDir: string) {
    this.#codeDir = codeDir;
  }

  /** Stores a package after checking it is a zip whose entries stay inside their directory. */
  put(bytes: Buffer): StoredPackage {
    const digest = createHash("sha256").update(bytes).digest();
    const shaHex = digest.toString("hex");
    const known = this.#packages.get(shaHex);
    if (known) return known;
    const entries = unzipOrRefuse(bytes);
    const probeRoot = join(this.#codeDir, shaHex);
    for (const name of Object.keys(entries)) {
      if (!name.endsWith("/") && safeEntryPath(probeRoot, name) === undefined) {
        throw new AwsServiceError(
          "InvalidParameterValueException",
          `Could not unzip uploaded file: the entry '${name}' points outside the package. Build the zip with relative paths.`,
        );
      }
    }
    const stored: StoredPackage = {
      codeSha256: digest.toString("base64"),
      shaHex,
      size: bytes.length,
      bytes,
    };
    this.#packages.set(shaHex, stored);
    return stored;
  }

  get(shaHex: string): StoredPackage | undefined {
    return this.#packages.get(shaHex);
  }

  /** The directory holding the unpacked package (unpacked once per process, atomically). */
  unpack(shaHex: string): Promise<string> {
    let pending = this.#unpacked.get(shaHex);
    if (!pending) {
      pending = this.#unpack(shaHex);
      this.#unpacked.set(shaHex, pending);
      pending.catch(() => this.#unpacked.delete(shaHex));
    }
    return pending;
  }

  async #unpack(shaHex: string): Promise<string> {
    const stored = this.#packages.get(shaHex);
    if (!stored) {
      throw new LambdaCodeStoreError(
        shaHex,
        `No package with SHA-256 ${shaHex} was uploaded to this sandbox.`,
      );
    }
    const target = join(this.#codeDir, shaHex);
    if (await exists(target)) return target;
    const staging = `${target}.staging-${randomBytes(6).toString("hex")}`;
    try {
      const entries = unzipOrRefuse(stored.bytes);
      for (const [name, content] of Object.entries(entries)) {
        const path = safeEntryPath(staging, name);
        if (path === undefined) continue;
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
      await mkdir(staging, { recursive: true });
      try {
        await rename(staging, target);
      } catch (error) {
        // Another sandbox sharing the code dir unpacked the same bytes first; its copy is identical.
        if (!(await exists(target))) throw error;
        await rm(staging, { recursive: true, force: true });
      }
      return target;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw new LambdaCodeStoreError(
        stored.codeSha256,
        `The package ${stored.codeSha256} could not be unpacked into ${this.#codeDir}; check that the directory is writable.`,
        { cause: error },
      );
    }
  }
}
