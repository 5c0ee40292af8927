import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ApiClient,
  type ApiClientOptions,
  createHttpAgent,
  HttpTimeoutError,
  HttpUnreachableError,
  parseRequestLog,
  ReadOnlyPolicyError,
  RequestLog,
} from "../../lib/http/index.ts";
import { REDACTED, Redactor } from "../../lib/redact/index.ts";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbW9rZSJ9.c2lnbmF0dXJlLWJ5dGVzLXh5eg";

type Seen = { method: string; url: string; authorization: string | undefined; body: string };

describe("ApiClient", () => {
  let server: Server;
  let baseUrl = "";
  const seen: Seen[] = [];
  // Generous for ordinary requests (a loaded CI machine is slow); the timeout test uses its own short one.
  const agent = createHttpAgent({ timeoutMs: 10_000 });
  const shortAgent = createHttpAgent({ timeoutMs: 300 });
  let dir = "";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "http-client-"));
    server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        seen.push({
          method: req.method ?? "",
          url: req.url ?? "",
          authorization: req.headers.authorization,
          body,
        });
        const path = (req.url ?? "").replace(/^\/stage/, "");
        if (path.startsWith("/slow")) return; // never answers: the client must time out
        if (path === "/text") {
          res.writeHead(200, { "content-type": "text/plain" }).end("not json");
          return;
        }
        res
          .writeHead(req.method === "POST" ? 201 : 200, {
            "content-type": "application/json",
            "x-request-id": "r-1",
          })
          .end(
            JSON.stringify({ echo: body ? JSON.parse(body) : null, idToken: "secret-by-key", path: req.url }),
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stage`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
    await shortAgent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(overrides: Partial<ApiClientOptions> = {}): { api: ApiClient; log: RequestLog } {
    const log = overrides.log ?? new RequestLog();
    const redactor = new Redactor();
    redactor.register("sm0kePassw0rd");
    const api = new ApiClient({
      baseUrl,
      environment: "dev",
      readOnly: false,
      timeoutMs: 10_000,
      agent,
      log,
      tokenProvider: async () => TOKEN,
      runId: "run-1",
      test: "suite > test",
      redactor,
      ...overrides,
    });
    return { api, log };
  }

  test("sends JSON with the bearer token, keeps the stage prefix, parses the JSON response", async () => {
    const { api } = client();
    const response = await api.request({
      method: "POST",
      path: "/tenants",
      query: { limit: 5, skip: undefined },
      body: { name: "t" },
    });
    assert.equal(response.status, 201);
    assert.deepEqual(response.body, {
      echo: { name: "t" },
      idToken: "secret-by-key",
      path: "/stage/tenants?limit=5",
    });
    assert.equal(response.headers["x-request-id"], "r-1");
    const last = seen.at(-1);
    assert.equal(last?.authorization, `Bearer ${TOKEN}`);
    assert.equal(last?.url, "/stage/tenants?limit=5");
    assert.equal(api.mutatingRequestCount, 1);
  });

  test("returns body null and the raw text for a non-JSON response", async () => {
    const { api } = client();
    const response = await api.request({ method: "GET", path: "/text", auth: "none" });
    assert.equal(response.body, null);
    assert.equal(response.text, "not json");
    assert.equal(seen.at(-1)?.authorization, undefined);
  });

  test("refuses a mutating request in a read-only environment before anything is sent", async () => {
    const { api, log } = client({ readOnly: true, environment: "prod" });
    const before = seen.length;
    await assert.rejects(
      api.request({ method: "DELETE", path: "/tenants/ten_1" }),
      (error: unknown) => error instanceof ReadOnlyPolicyError && /read-only/.test(error.message),
    );
    assert.equal(seen.length, before, "the server must not have seen the request");
    assert.equal(api.mutatingRequestCount, 0);
    assert.equal(log.entries.at(-1)?.status, null);
    // Reads still go through.
    assert.equal((await api.request({ method: "GET", path: "/tenants" })).status, 200);
  });

  test("times out a hanging endpoint with HttpTimeoutError naming the limit", async () => {
    const { api, log } = client({ timeoutMs: 300, agent: shortAgent });
    const started = Date.now();
    await assert.rejects(
      api.request({ method: "GET", path: "/slow" }),
      (error: unknown) => error instanceof HttpTimeoutError && error.message.includes("300 ms"),
    );
    assert.ok(Date.now() - started < 2_000);
    assert.match(log.entries.at(-1)?.error ?? "", /300 ms/);
  });

  test("reports an unreachable API as HttpUnreachableError", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { api } = client({ baseUrl: `http://127.0.0.1:${port}` });
    await assert.rejects(
      api.request({ method: "GET", path: "/health", auth: "none" }),
      (error: unknown) => error instanceof HttpUnreachableError && error.code === "ECONNREFUSED",
    );
  });

  test("records redacted evidence: no token, no password, no secret-keyed values, in memory and in JSONL", async () => {
    const jsonlFile = join(dir, "run", "requests.jsonl");
    const { api, log } = client({ log: new RequestLog({ jsonlFile }) });
    await api.request({
      method: "PUT",
      path: "/tenants/ten_1",
      body: { name: "x", password: "sm0kePassw0rd" },
    });
    await api.request({ method: "GET", path: "/health", auth: { token: TOKEN } });
    const fileText = readFileSync(jsonlFile, "utf8");
    for (const text of [log.toJsonl(), fileText]) {
      assert.ok(!text.includes(TOKEN), "token leaked");
      assert.ok(!text.includes("sm0kePassw0rd"), "password leaked");
      assert.ok(!text.includes("secret-by-key"), "secret-keyed response value leaked");
    }
    const entries = parseRequestLog(fileText);
    assert.equal(entries.length, 2);
    assert.equal(entries[0]?.requestHeaders.authorization, REDACTED);
    assert.equal(entries[0]?.auth, "token");
    assert.equal(entries[1]?.auth, "explicit");
    assert.equal(entries[0]?.test, "suite > test");
    assert.equal(entries[0]?.status, 200);
    assert.ok((entries[0]?.durationMs ?? -1) >= 0);
  });
});
