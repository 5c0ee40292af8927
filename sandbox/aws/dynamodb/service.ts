/**
 * DynamoDB for the sandbox: one in-memory dynalite per (account, region), created on first use, so one
 * account's tables are invisible to another's as on AWS.
 */
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { SandboxStartError } from "../../errors.ts";
import { closeServer, listenOnLoopback } from "../http.ts";

interface DynaliteOptions {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}
type DynaliteFactory = (options: DynaliteOptions) => Server;

function isDynaliteFactory(value: unknown): value is DynaliteFactory {
  return typeof value === "function";
}

/** dynalite ships no type declarations, so it is loaded through require and checked at the boundary. */
function loadDynalite(): DynaliteFactory {
  const required: unknown = createRequire(import.meta.url)("dynalite");
  if (!isDynaliteFactory(required)) {
    throw new SandboxStartError(
      "The installed dynalite package does not export a server factory function. Reinstall dependencies with `npm ci`.",
    );
  }
  return required;
}

export interface DynamoBackends {
  /** Base URL of the dynalite holding this account's tables in this region (started on first call). */
  backend(accountId: string, region: string): Promise<string>;
  close(): Promise<void>;
}

/** Creates the lazily started set of dynalite backends. */
export function createDynamoBackends(): DynamoBackends {
  const started = new Map<string, Promise<{ server: Server; url: string }>>();
  let closed = false;
  let factory: DynaliteFactory | undefined;

  async function start(key: string): Promise<{ server: Server; url: string }> {
    factory ??= loadDynalite();
    const server = factory({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    try {
      return { server, url: await listenOnLoopback(server) };
    } catch (error) {
      throw new SandboxStartError(
        `The DynamoDB backend for account/region ${key} could not listen on 127.0.0.1; check that the machine allows loopback listeners.`,
        { cause: error },
      );
    }
  }

  return {
    async backend(accountId, region) {
      if (closed) throw new SandboxStartError("The sandbox is stopping; DynamoDB is no longer available.");
      const key = `${accountId}/${region}`;
      let entry = started.get(key);
      if (!entry) {
        entry = start(key);
        started.set(key, entry);
        // A failed start must not poison the cache: the next call tries again.
        entry.catch(() => started.delete(key));
      }
      return (await entry).url;
    },
    async close() {
      closed = true;
      const entries = [...started.values()];
      started.clear();
      await Promise.all(
        entries.map(async (entry) => {
          const { server } = await entry.catch(() => ({ server: undefined }));
          if (server) await closeServer(server);
        }),
      );
    },
  };
}
