/**
 * Test fixture for the Tenant API handler: an in-memory DynamoDB (dynalite) with the contract's
 * tables, a JWKS endpoint with a fresh RSA key, and packages built by sandbox/packaging, unzipped
 * inside the repo (so `@aws-sdk/*` resolves from node_modules as the Lambda runtime provides it)
 * and imported. Everything listens on 127.0.0.1 and is torn down by `close()`.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unzipSync } from "fflate";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { z } from "zod";
import { type BuildSpec, buildPackage } from "../../sandbox/packaging/index.ts";
import { tableDefinitions, tableEnvironment } from "../../sandbox/tenant-api/tables.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const userPoolId = "eu-west-1_TestPool1";
export const clientId = "test-client-id";
const keyId = "test-key-1";

type ServerFactory = (options: {
  createTableMs: number;
  updateTableMs: number;
  deleteTableMs: number;
}) => Server;
const isServerFactory = (value: unknown): value is ServerFactory => typeof value === "function";

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return z.object({ port: z.number() }).parse(server.address()).port;
}

/** Starts dynalite in process on an ephemeral loopback port. */
async function startDynalite(): Promise<{ server: Server; endpoint: string }> {
  // dynalite ships no type declarations; it is loaded as CommonJS and checked before use.
  const loaded: unknown = createRequire(import.meta.url)("dynalite");
  if (!isServerFactory(loaded))
    throw new Error("dynalite did not export a server factory; reinstall it with npm ci.");
  const server = loaded({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  return { server, endpoint: `http://127.0.0.1:${await listen(server)}` };
}

const close = (server: Server) =>
  new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });

export interface Request {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** A raw body string (for malformed JSON); wins over `body`. */
  rawBody?: string;
  /** undefined: a valid ID token; null: no Authorization header; a string: that bearer token. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
  /** Lines the handler wrote with console.log / console.error during the call. */
  stdout: string[];
  stderr: string[];
}

const ProxyResultSchema = z.strictObject({
  statusCode: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;
const isHandler = (value: unknown): value is Handler => typeof value === "function";

export interface LoadedPackage {
  codeSha256: string;
  /** Where the package was unzipped (index.mjs, manifest.json). */
  codeDir: string;
  /** Calls the handler with a raw event; returns what it returned (or rejects like the runtime sees). */
  invokeRaw(event: unknown): Promise<{ result: unknown; stdout: string[]; stderr: string[] }>;
  /** Sends an API Gateway proxy event and parses the proxy result. */
  request(request: Request): Promise<Response>;
}

// A cold start the way the sandbox's Lambda runtime does it: a fresh worker thread (fresh module
// state, its own environment) whose console.error lines are tagged ERROR.
const coldStartWorker = `
const { parentPort, workerData } = require("node:worker_threads");
const lines = [];
console.log = (...args) => lines.push("INFO " + args.join(" "));
console.error = (...args) => lines.push("ERROR " + args.join(" "));
import(workerData.url)
  .then((module) => module.handler(workerData.event, { awsRequestId: "cold-start" }))
  .then((result) => setTimeout(() => parentPort.postMessage({ result, lines }), 50));
`;

/** Invokes a package once in a fresh worker with `env`; returns the result and the tagged log lines. */
export async function coldStart(
  pkg: LoadedPackage,
  event: unknown,
  env: Record<string, string | undefined>,
): Promise<{ result: unknown; lines: string[] }> {
  const worker = new Worker(coldStartWorker, {
    eval: true,
    env,
    workerData: { url: pathToFileURL(join(pkg.codeDir, "index.mjs")).href, event },
  });
  try {
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    return z.object({ result: z.unknown(), lines: z.array(z.string()) }).parse(message);
  } finally {
    await worker.terminate();
  }
}

/** Runs `run` with console.log / console.error captured (the handler's log lines). */
async function capture<T>(run: () => Promise<T>): Promise<{ value: T; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => stdout.push(args.map(String).join(" "));
  console.error = (...args: unknown[]) => stderr.push(args.map(String).join(" "));
  try {
    return { value: await run(), stdout, stderr };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Claim overrides for test tokens; `undefined` drops the claim. */
export type Claims = Record<string, unknown>;

export interface TenantApiFixture {
  issuer: string;
  dynamoEndpoint: string;
  dynamo: DynamoDBDocumentClient;
  jwksRequests(): number;
  /** An ID token for the pool and client, overridable claim by claim. */
  idToken(overrides?: Claims): Promise<string>;
  accessToken(overrides?: Claims): Promise<string>;
  /** A token signed by a key the JWKS does not publish (same kid, different key). */
  forgedToken(): Promise<string>;
  load(spec: BuildSpec): Promise<LoadedPackage>;
  close(): Promise<void>;
}

/** Starts dynalite with the dev tables, a JWKS server, and sets the handler's environment. */
export async function startTenantApiFixture(): Promise<TenantApiFixture> {
  const dynalite = await startDynalite();
  let jwksHits = 0;
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const forger = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: "RS256", use: "sig" };
  const jwksServer = createServer((req, res) => {
    if (req.url === `/${userPoolId}/.well-known/jwks.json`) {
      jwksHits += 1;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  const issuer = `http://127.0.0.1:${await listen(jwksServer)}/${userPoolId}`;

  const credentials = { accessKeyId: "AKIAFIXTURE0000000001", secretAccessKey: "fixture-secret" };
  const client = new DynamoDBClient({ region: "eu-west-1", endpoint: dynalite.endpoint, credentials });
  for (const definition of tableDefinitions("dev")) await client.send(new CreateTableCommand(definition));
  for (const definition of tableDefinitions("dev")) {
    for (let attempt = 0; ; attempt += 1) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
      if (Table?.TableStatus === "ACTIVE") break;
      if (attempt > 100) throw new Error(`table ${definition.TableName} never became ACTIVE in dynalite`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // What the sandbox's Lambda runtime sets for the function (one process per test file).
  Object.assign(process.env, {
    ...tableEnvironment("dev"),
    COGNITO_ISSUER: issuer,
    COGNITO_CLIENT_ID: clientId,
    ENVIRONMENT: "dev",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL: dynalite.endpoint,
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;

  const codeRoot = join(repoRoot, ".sandbox", "test-code", randomUUID());
  const sign = (claims: Claims, key = privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    // An override of `undefined` removes the claim (to test tokens that lack it).
    const payload: JWTPayload = Object.fromEntries(
      Object.entries({ sub: "user-123", iss: issuer, iat: now, exp: now + 3600, ...claims }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: keyId }).sign(key);
  };

  async function load(spec: BuildSpec): Promise<LoadedPackage> {
    const built = await buildPackage(spec);
    const dir = join(codeRoot, randomUUID());
    mkdirSync(dir, { recursive: true });
    for (const [name, contents] of Object.entries(unzipSync(built.zip)))
      writeFileSync(join(dir, name), contents);
    const module: unknown = await import(pathToFileURL(join(dir, "index.mjs")).href);
    const handler = z.object({ handler: z.unknown() }).parse(module).handler;
    if (!isHandler(handler)) throw new Error("The package's index.mjs does not export a handler function.");

    const invokeRaw = async (event: unknown) => {
      const { value, stdout, stderr } = await capture(() =>
        handler(event, { awsRequestId: randomUUID(), functionName: "bbws-tenant-instance-management-dev" }),
      );
      return { result: value, stdout, stderr };
    };

    async function request(req: Request): Promise<Response> {
      const headers: Record<string, string> = { ...req.headers };
      const token = req.token === undefined ? await sign({ token_use: "id", aud: clientId }) : req.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      if (req.body !== undefined || req.rawBody !== undefined) headers["content-type"] = "application/json";
      const event = {
        resource: "/{proxy+}",
        httpMethod: req.method,
        path: req.path,
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
        queryStringParameters: req.query ?? null,
        multiValueQueryStringParameters: req.query
          ? Object.fromEntries(Object.entries(req.query).map(([key, value]) => [key, [value]]))
          : null,
        pathParameters: { proxy: req.path.slice(1) },
        stageVariables: null,
        body: req.rawBody ?? (req.body === undefined ? null : JSON.stringify(req.body)),
        isBase64Encoded: false,
        requestContext: {
          requestId: randomUUID(),
          stage: "v1",
          httpMethod: req.method,
          path: `/v1${req.path}`,
        },
      };
      const { result, stdout, stderr } = await invokeRaw(event);
      const parsed = ProxyResultSchema.parse(result);
      return {
        status: parsed.statusCode,
        headers: parsed.headers,
        body: parsed.body === "" ? undefined : JSON.parse(parsed.body),
        rawBody: parsed.body,
        stdout,
        stderr,
      };
    }

    return { codeSha256: built.codeSha256, codeDir: dir, invokeRaw, request };
  }

  return {
    issuer,
    dynamoEndpoint: dynalite.endpoint,
    dynamo: DynamoDBDocumentClient.from(client),
    jwksRequests: () => jwksHits,
    idToken: (overrides = {}) => sign({ token_use: "id", aud: clientId, ...overrides }),
    accessToken: (overrides = {}) => sign({ token_use: "access", client_id: clientId, ...overrides }),
    forgedToken: () => sign({ token_use: "id", aud: clientId }, forger.privateKey),
    load,
    async close() {
      client.destroy();
      await Promise.all([close(dynalite.server), close(jwksServer)]);
      rmSync(codeRoot, { recursive: true, force: true });
      // The shared parent goes too once no other test file still has code in it.
      try {
        rmdirSync(dirname(codeRoot));
      } catch {
        // Not empty (another test file is running) or already gone: either way nothing to do.
      }
    },
  };
}
