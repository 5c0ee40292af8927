/**
 * Cognito user pools for the sandbox: cognito-local's services and router, assembled here (its
 * `createDefaultServer` hard-codes `.cognito` in the working directory and a fixed issuer), one
 * instance per (account, region) so one account's pools are invisible to another's.
 *
 * The AWS server proxies `AWSCognitoIdentityProviderService.*` requests and the pools' JWKS here.
 * Signed requests are routed by the access key and region of their SigV4 scope; unsigned ones
 * (InitiateAuth, RespondToAuthChallenge, ...) by the app client id or the access token they carry.
 */
import { rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Config } from "cognito-local/lib/server/config.js";
import type { Clock } from "cognito-local/lib/services/clock.js";
import type { CognitoService } from "cognito-local/lib/services/cognitoService.js";
import type { Context } from "cognito-local/lib/services/context.js";
import type { Services } from "cognito-local/lib/services/index.js";
import type { LogService } from "cognito-local/lib/services/LogService.js";
import type { TokenConfig, TokenGenerator } from "cognito-local/lib/services/tokenGenerator.js";
import type { Triggers } from "cognito-local/lib/services/triggers/index.js";
import { z } from "zod";
import { SandboxStartError } from "../../errors.ts";
import { BodyTooLargeError, closeServer, listenOnLoopback, readBody, sendJson } from "../http.ts";

const maxBodyBytes = 256 * 1024;

const requireFromHere = createRequire(import.meta.url);

/**
 * cognito-local is CommonJS. Every part of it is loaded with require(), so that its services, its
 * operations (loaded on first use) and its error classes (compared with instanceof) are one copy of
 * each module, also when the sandbox runs from the CLI's bundle; require() also skips the ESM export
 * scan of each file.
 */
const cognitoLocal = {
  errors: (): typeof import("cognito-local/lib/errors.js") => requireFromHere("cognito-local/lib/errors.js"),
  clock: (): typeof import("cognito-local/lib/services/clock.js") =>
    requireFromHere("cognito-local/lib/services/clock.js"),
  cognitoService: (): typeof import("cognito-local/lib/services/cognitoService.js") =>
    requireFromHere("cognito-local/lib/services/cognitoService.js"),
  stormDb: (): typeof import("cognito-local/lib/services/dataStore/stormDb.js") =>
    requireFromHere("cognito-local/lib/services/dataStore/stormDb.js"),
  otp: (): typeof import("cognito-local/lib/services/otp.js") =>
    requireFromHere("cognito-local/lib/services/otp.js"),
  userPoolService: (): typeof import("cognito-local/lib/services/userPoolService.js") =>
    requireFromHere("cognito-local/lib/services/userPoolService.js"),
  tokenGenerator: (): typeof import("cognito-local/lib/services/tokenGenerator.js") =>
    requireFromHere("cognito-local/lib/services/tokenGenerator.js"),
};

export interface CognitoBackendOptions {
  /** Directory for cognito-local's data files; emptied at start and removed at close. */
  dataDir: string;
  /** Access key id -> account id, to route signed requests to their account's pools. */
  accountsByAccessKey: ReadonlyMap<string, string>;
  /** Where cognito-local's info/warn/error lines go; undefined keeps it quiet. */
  log?: ((line: string) => void) | undefined;
}

export interface CognitoBackend {
  /** Base URL the AWS server proxies Cognito requests and JWKS requests to. */
  readonly url: string;
  /** Sets the issuer domain of every token (`iss` = `${domain}/${userPoolId}`), i.e. the AWS server's URL. */
  setIssuerDomain(domain: string): void;
  close(): Promise<void>;
}

interface Instance {
  accountId: string;
  region: string;
  cognito: CognitoService;
  route: (target: string) => Route | undefined;
}

/** A logger with the shape cognito-local expects; debug is always dropped (it dumps whole data stores). */
function createLogger(write: ((line: string) => void) | undefined, bindings: string): LogService {
  const emit =
    (level: string) =>
    (...args: unknown[]): void => {
      if (!write) return;
      const parts = args.map((arg) => {
        if (typeof arg === "string") return arg;
        if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
        try {
          return JSON.stringify(arg);
        } catch {
          return String(arg);
        }
      });
      write(`cognito ${level}${bindings} ${parts.join(" ")}`);
    };
  return {
    child: (childBindings) => {
      const extra = Object.entries(childBindings)
        .map(([key, value]) => ` ${key}=${String(value)}`)
        .join("");
      return createLogger(write, `${bindings}${extra}`);
    },
    debug: () => undefined,
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}

/** Lambda triggers are not configured on the sandbox's pools; cognito-local only calls them when enabled. */
function disabledTriggers(): Triggers {
  const notConfigured = async (): Promise<never> => {
    throw new (cognitoLocal.errors().UnsupportedError)(
      "Lambda triggers are not configured in the sandbox's user pools.",
    );
  };
  return {
    enabled: () => false,
    customMessage: notConfigured,
    customEmailSender: notConfigured,
    postAuthentication: notConfigured,
    postConfirmation: notConfigured,
    preSignUp: notConfigured,
    preTokenGeneration: notConfigured,
    userMigration: notConfigured,
  };
}

const jwksSchema = z.object({ jwk: z.record(z.string(), z.unknown()) });

/** cognito-local signs every token with the key pair it ships; its public half is the JWKS. */
function loadPublicJwk(): Record<string, unknown> {
  const raw: unknown = createRequire(import.meta.url)("cognito-local/lib/keys/cognitoLocal.public.json");
  return jwksSchema.parse(raw).jwk;
}

/** One Cognito operation as cognito-local implements it. */
type Route = (ctx: Context, request: unknown) => Promise<unknown>;
type TargetFactory = (services: Services) => Route;

function isTargetFactory(value: unknown): value is TargetFactory {
  return typeof value === "function";
}

const targetNamePattern = /^[A-Z][A-Za-z]{2,60}$/;

/**
 * The implementation of one operation, loaded on first use. cognito-local's own Router loads all ~50
 * operations and their dependencies (JWT, TOTP, ...) up front, which costs start-up time for
 * operations the sandbox rarely or never sees. Each operation lives in `lib/targets/<lowerCamel>.js`
 * and exports a factory under its own name; anything else is an unsupported operation.
 */
function loadTarget(name: string): TargetFactory | undefined {
  if (!targetNamePattern.test(name)) return undefined;
  let loaded: unknown;
  try {
    loaded = requireFromHere(`cognito-local/lib/targets/${name.charAt(0).toLowerCase()}${name.slice(1)}.js`);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(loaded);
  const factory = parsed.success ? parsed.data[name] : undefined;
  return isTargetFactory(factory) ? factory : undefined;
}

/** cognito-local's JWT generator, loaded (with jsonwebtoken) when the first token is issued. */
function lazyTokenGenerator(clock: Clock, triggers: Triggers, tokenConfig: TokenConfig): TokenGenerator {
  let generator: Promise<TokenGenerator> | undefined;
  return {
    async generate(...args) {
      generator ??= Promise.resolve().then(
        () => new (cognitoLocal.tokenGenerator().JwtTokenGenerator)(clock, triggers, tokenConfig),
      );
      return (await generator).generate(...args);
    },
  };
}

const sigV4ScopePattern = /Credential=([A-Z0-9]+)\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/;

const bodySchema = z
  .object({
    ClientId: z.string().optional(),
    AccessToken: z.string().optional(),
    UserPoolId: z.string().optional(),
  })
  .loose();

/** Error body in the JSON 1.1 protocol's shape. */
function sendCognitoError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(
    res,
    status,
    { __type: type, message },
    { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
  );
}

/** Starts the Cognito backend on 127.0.0.1 (ephemeral port). */
export async function startCognitoBackend(options: CognitoBackendOptions): Promise<CognitoBackend> {
  await rm(options.dataDir, { recursive: true, force: true });
  const tokenConfig: TokenConfig = { IssuerDomain: "http://127.0.0.1" };
  const { DateClock } = cognitoLocal.clock();
  const { CognitoServiceFactoryImpl } = cognitoLocal.cognitoService();
  const { StormDBDataStoreFactory } = cognitoLocal.stormDb();
  const { UserPoolServiceFactoryImpl } = cognitoLocal.userPoolService();
  const { otp } = cognitoLocal.otp();
  const { CognitoError, UnsupportedError } = cognitoLocal.errors();
  const clock = new DateClock();
  const triggers = disabledTriggers();
  const logger = createLogger(options.log, "");
  const publicJwk = loadPublicJwk();
  const instances = new Map<string, Promise<Instance>>();

  async function createInstance(accountId: string, region: string): Promise<Instance> {
    const ctx: Context = { logger };
    const dataDirectory = join(options.dataDir, `${accountId}-${region}`);
    const dataStoreFactory = new StormDBDataStoreFactory(dataDirectory);
    const factory = new CognitoServiceFactoryImpl(
      dataDirectory,
      dataStoreFactory,
      new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
    );
    const inner = await factory.create(ctx, {});
    // cognito-local names every pool `local_…`; AWS names them `<region>_…` with the account in the ARN.
    const cognito: CognitoService = {
      createUserPool: (c, pool) => {
        const id = pool.Id.replace(/^local_/, `${region}_`);
        return inner.createUserPool(c, {
          ...pool,
          Id: id,
          Arn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${id}`,
        });
      },
      deleteUserPool: (c, pool) => inner.deleteUserPool(c, pool),
      getAppClient: (c, clientId) => inner.getAppClient(c, clientId),
      getUserPool: (c, id) => inner.getUserPool(c, id),
      getUserPoolForClientId: (c, clientId) => inner.getUserPoolForClientId(c, clientId),
      listAppClients: (c, id) => inner.listAppClients(c, id),
      listUserPools: (c) => inner.listUserPools(c),
    };
    const config: Config = {
      LambdaClient: {},
      TriggerFunctions: {},
      UserPoolDefaults: {},
      TokenConfig: tokenConfig,
      ServerConfig: { hostname: "127.0.0.1", https: false },
    };
    const services: Services = {
      clock,
      cognito,
      config,
      // Pools are created with MessageAction SUPPRESS; codes that would be e-mailed are dropped, not printed.
      messages: { deliver: async () => undefined },
      otp,
      tokenGenerator: lazyTokenGenerator(clock, triggers, tokenConfig),
      triggers,
    };
    const routes = new Map<string, Route | undefined>();
    const route = (target: string): Route | undefined => {
      if (!routes.has(target)) {
        const factory = loadTarget(target);
        routes.set(target, factory ? factory(services) : undefined);
      }
      return routes.get(target);
    };
    return { accountId, region, cognito, route };
  }

  function instanceFor(accountId: string, region: string): Promise<Instance> {
    const key = `${accountId}/${region}`;
    let instance = instances.get(key);
    if (!instance) {
      instance = createInstance(accountId, region);
      instances.set(key, instance);
      instance.catch(() => instances.delete(key));
    }
    return instance;
  }

  async function findInstance(
    predicate: (instance: Instance) => Promise<boolean>,
  ): Promise<Instance | undefined> {
    for (const pending of instances.values()) {
      const instance = await pending;
      if (await predicate(instance)) return instance;
    }
    return undefined;
  }

  const ctx: Context = { logger };

  async function hasPool(instance: Instance, poolId: string): Promise<boolean> {
    const pools = await instance.cognito.listUserPools(ctx);
    return pools.some((pool) => pool.Id === poolId);
  }

  /** Pool id from the `iss` claim of an access token, without verifying it: only used for routing. */
  function poolIdOfToken(token: string): string | undefined {
    const payload = token.split(".")[1];
    if (!payload) return undefined;
    try {
      const claims = z
        .object({ iss: z.string() })
        .safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
      return claims.success ? claims.data.iss.split("/").pop() : undefined;
    } catch {
      return undefined;
    }
  }

  async function resolveInstance(
    req: IncomingMessage,
    body: z.infer<typeof bodySchema>,
  ): Promise<Instance | { error: [number, string, string] }> {
    const authorization = req.headers.authorization;
    if (authorization) {
      const scope = sigV4ScopePattern.exec(authorization);
      const accessKeyId = scope?.[1];
      const region = scope?.[2];
      const accountId = accessKeyId ? options.accountsByAccessKey.get(accessKeyId) : undefined;
      if (!accountId || !region) {
        return {
          error: [
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
          ],
        };
      }
      return instanceFor(accountId, region);
    }
    if (body.ClientId) {
      const clientId = body.ClientId;
      const found = await findInstance(async (i) => (await i.cognito.getAppClient(ctx, clientId)) !== null);
      if (found) return found;
      return { error: [400, "ResourceNotFoundException", `User pool client ${clientId} does not exist.`] };
    }
    if (body.AccessToken) {
      const poolId = poolIdOfToken(body.AccessToken);
      const found = poolId ? await findInstance((i) => hasPool(i, poolId)) : undefined;
      if (found) return found;
      return { error: [400, "NotAuthorizedException", "Invalid Access Token"] };
    }
    return {
      error: [
        400,
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token; sign the request with the environment's credentials.",
      ],
    };
  }

  async function handleTarget(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const targetHeader = req.headers["x-amz-target"];
    const target = typeof targetHeader === "string" ? targetHeader.split(".")[1] : undefined;
    if (
      !target ||
      typeof targetHeader !== "string" ||
      !targetHeader.startsWith("AWSCognitoIdentityProviderService.")
    ) {
      sendCognitoError(
        res,
        400,
        "UnknownOperationException",
        "The X-Amz-Target header must name an AWSCognitoIdentityProviderService operation.",
      );
      return;
    }
    let raw: unknown;
    try {
      const bytes = await readBody(req, maxBodyBytes);
      raw = bytes.length === 0 ? {} : JSON.parse(bytes.toString("utf8"));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader("connection", "close");
        sendCognitoError(res, 413, "RequestEntityTooLargeException", error.message);
      } else {
        sendCognitoError(res, 400, "SerializationException", "The request body is not valid JSON.");
      }
      return;
    }
    const body = bodySchema.safeParse(raw);
    if (!body.success) {
      sendCognitoError(res, 400, "SerializationException", "The request body must be a JSON object.");
      return;
    }
    const instance = await resolveInstance(req, body.data);
    if ("error" in instance) {
      sendCognitoError(res, ...instance.error);
      return;
    }
    const route = instance.route(target);
    if (!route) {
      sendCognitoError(
        res,
        400,
        "UnknownOperationException",
        `The sandbox's Cognito does not implement ${target}; see cognito-local's supported operations.`,
      );
      return;
    }
    try {
      const output: unknown = await route({ logger }, body.data);
      // The JSON 1.1 protocol sends timestamps as epoch seconds; cognito-local keeps Date objects.
      const text = JSON.stringify(
        output,
        function replacer(this: Record<string, unknown>, key, value: unknown) {
          const original = this[key];
          return original instanceof Date ? Math.floor(original.getTime() / 1000) : value;
        },
      );
      res.writeHead(200, {
        "content-type": "application/x-amz-json-1.1",
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    } catch (error) {
      if (error instanceof UnsupportedError) {
        sendCognitoError(
          res,
          400,
          "UnknownOperationException",
          `The sandbox does not support ${target}: ${error.message}`,
        );
      } else if (error instanceof CognitoError) {
        sendCognitoError(res, 400, error.code, error.message);
      } else {
        options.log?.(`cognito error in ${target}: ${error instanceof Error ? error.stack : String(error)}`);
        sendCognitoError(
          res,
          500,
          "InternalErrorException",
          `The sandbox's Cognito failed while handling ${target}.`,
        );
      }
    }
  }

  async function handleWellKnown(res: ServerResponse, poolId: string, document: string): Promise<void> {
    const found = await findInstance((i) => hasPool(i, poolId));
    if (!found) {
      sendJson(res, 404, { message: `User pool ${poolId} does not exist.` });
      return;
    }
    const issuer = `${tokenConfig.IssuerDomain}/${poolId}`;
    if (document === "jwks.json") {
      sendJson(res, 200, { keys: [publicJwk] });
    } else {
      sendJson(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "token"],
        subject_types_supported: ["public"],
      });
    }
  }

  const wellKnownPattern = /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const handle = async (): Promise<void> => {
      const wellKnown = req.method === "GET" ? wellKnownPattern.exec(path) : null;
      if (wellKnown?.[1] && wellKnown[2]) return handleWellKnown(res, wellKnown[1], wellKnown[2]);
      if (req.method === "POST" && path === "/") return handleTarget(req, res);
      sendJson(res, 404, { message: `No Cognito resource at ${req.method} ${path}.` });
    };
    handle().catch((error: unknown) => {
      options.log?.(`cognito backend error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent)
        sendCognitoError(res, 500, "InternalErrorException", "The sandbox's Cognito failed.");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  let url: string;
  try {
    url = await listenOnLoopback(server);
  } catch (error) {
    throw new SandboxStartError("The Cognito backend could not listen on 127.0.0.1.", { cause: error });
  }

  return {
    url,
    setIssuerDomain(domain) {
      tokenConfig.IssuerDomain = domain;
    },
    async close() {
      await closeServer(server);
      // Let pending writes of cognito-local's data stores settle before removing their directory.
      await Promise.allSettled(instances.values());
      instances.clear();
      await rm(options.dataDir, { recursive: true, force: true });
    },
  };
}
