import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { unzipSync } from "fflate";

/** Where a secret (or something shaped like one) was found in a report tree. */
export type SecretFinding = {
  /** Path relative to the scanned root, with `!entry` appended for a member of a zip. */
  file: string;
  /** Which secret (by index into the list given) or which pattern matched; never the secret itself. */
  match: string;
};

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((byte, index) => bytes[index] === byte);
}

function scanBytes(
  label: string,
  bytes: Uint8Array,
  secrets: readonly string[],
  findings: SecretFinding[],
  depth: number,
): void {
  if (isZip(bytes) && depth < 4) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch {
      findings.push({ file: label, match: "unreadable zip (cannot prove it holds no secret)" });
      return;
    }
    for (const [name, entry] of Object.entries(entries))
      scanBytes(`${label}!${name}`, entry, secrets, findings, depth + 1);
    return;
  }
  const text = Buffer.from(bytes).toString("utf8");
  secrets.forEach((secret, index) => {
    if (secret.length > 0 && text.includes(secret)) findings.push({ file: label, match: `secret #${index}` });
  });
  if (JWT.test(text)) findings.push({ file: label, match: "JWT-shaped string" });
  // Playwright's HTML report inlines its data as a base64 zip inside index.html.
  for (const embedded of text.matchAll(EMBEDDED_ZIP)) {
    const payload = embedded[1];
    if (payload)
      scanBytes(`${label}#embedded-zip`, Buffer.from(payload, "base64"), secrets, findings, depth + 1);
  }
}

/**
 * Scans every file under `root` (recursively, unpacking zips and the HTML report's embedded zip) for
 * the given secret values and for JWT-shaped strings. Returns the findings; an empty list means clean.
 */
export function findSecretsInTree(root: string, secrets: readonly string[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) scanBytes(relative(root, path), readFileSync(path), secrets, findings, 0);
    }
  };
  walk(root);
  return findings;
}
