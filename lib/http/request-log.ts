import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/** One request/response pair as the harness recorded it. Headers and bodies are already redacted. */
export const RequestLogEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  startedAt: z.string(),
  runId: z.string().nullable(),
  /** Title path of the test that sent it, when known. */
  test: z.string().nullable(),
  method: z.string(),
  url: z.string(),
  /** How the request was authenticated, so a replay knows whether to add its own token. */
  auth: z.enum(["token", "none", "explicit"]),
  requestHeaders: z.record(z.string(), z.string()),
  requestBody: z.string().nullable(),
  status: z.number().int().nullable(),
  responseHeaders: z.record(z.string(), z.string()),
  responseBody: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /** Set when no response came back (refused by policy, timeout, unreachable). */
  error: z.string().nullable(),
});
export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;

/**
 * The requests of one test (for evidence), optionally also appended to the run's `requests.jsonl`
 * (for the benchmark replay). Entries must be redacted before they are added.
 */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  readonly #jsonlFile: string | null;

  constructor(options: { jsonlFile?: string | null } = {}) {
    this.#jsonlFile = options.jsonlFile ?? null;
    if (this.#jsonlFile) mkdirSync(dirname(this.#jsonlFile), { recursive: true });
  }

  /** Next sequence number within this log. */
  get nextSeq(): number {
    return this.entries.length;
  }

  /** Records an entry here and, if configured, as one line of the run's JSONL file. */
  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    // One appendFileSync per line: O_APPEND writes of one line do not interleave between workers.
    if (this.#jsonlFile) appendFileSync(this.#jsonlFile, `${JSON.stringify(entry)}\n`);
  }

  /** The log as JSONL text. */
  toJsonl(): string {
    return this.entries.map((entry) => JSON.stringify(entry)).join("\n") + (this.entries.length ? "\n" : "");
  }
}

/** Parses a `requests.jsonl` file's text into entries (each line schema-checked). */
export function parseRequestLog(text: string): RequestLogEntry[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => RequestLogEntrySchema.parse(JSON.parse(line)));
}
