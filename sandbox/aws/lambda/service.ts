/**
 * Lambda's control and data plane per (account, region): functions with $LATEST and numbered
 * versions, aliases with weighted routing, reserved concurrency, and Invoke, which runs the handler
 * in its execution environment and records AWS/Lambda metrics and /aws/lambda/{name} logs the way
 * Lambda does, whether the call came over the wire or from the sandbox's API Gateway front.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { MetricDatum } from "../cloudwatch/metrics.ts";
import { AwsServiceError } from "../errors.ts";
import { Regional } from "../regional.ts";
import { parseInput } from "../validation.ts";
import type { CodeStore, StoredPackage } from "./code-store.ts";
import {
  aliasNotFound,
  checkAliasName,
  checkQualifier,
  type FunctionId,
  functionArn,
  functionNotFound,
  lambdaTimestamp,
  parseFunctionId,
  reservedEnvironmentKeys,
  validationError,
} from "./names.ts";
import type { FunctionErrorPayload, LambdaRuntime, RuntimeTarget } from "./runtime.ts";

/** Invoke payloads (request and response) are limited to 6 MB, as on Lambda. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const LATEST = "$LATEST";
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

interface VersionConfig {
  version: string;
  pkg: StoredPackage;
  description: string;
  runtime: string;
  handler: string;
  role: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  lastModified: Date;
  revisionId: string;
}

interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  weights: Record<string, number> | undefined;
  revisionId: string;
}

interface FunctionRecord {
  name: string;
  /** Distinguishes a re-created function from a deleted one of the same name (worker keys). */
  generation: string;
  latest: VersionConfig;
  versions: Map<string, VersionConfig>;
  lastVersionNumber: number;
  aliases: Map<string, AliasRecord>;
  reservedConcurrency: number | undefined;
  tags: Record<string, string>;
  inFlight: number;
}

const validation = (message: string) => new AwsServiceError("ValidationException", message);
const invalidValue = (message: string) => new AwsServiceError("InvalidParameterValueException", message);

const RuntimeSchema = z
  .string()
  .regex(
    /^nodejs(18|20|22|24)\.x$/,
    "Member must be a Node.js runtime the sandbox runs: nodejs18.x to nodejs24.x",
  );
const EnvironmentSchema = z.object({ Variables: z.record(z.string(), z.string()).optional() });
const RoleSchema = z
  .string()
  .regex(
    /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
    "Member must be an IAM role ARN",
  );
const HandlerSchema = z
  .string()
  .max(128)
  .regex(/^[^\s]+$/, "Member must satisfy regular expression pattern: [^\\s]+");
const WeightsSchema = z.record(
  z.string().regex(/^[0-9]+$/, "Member must be a published version number"),
  z.number().min(0).max(1),
);
const RoutingConfigSchema = z.object({ AdditionalVersionWeights: WeightsSchema.optional() });

const CreateFunctionSchema = z.object({
  FunctionName: z.string(),
  Runtime: RuntimeSchema.optional(),
  Role: RoleSchema,
  Handler: HandlerSchema.optional(),
  Code: z.object({
    ZipFile: z.string().optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    ImageUri: z.string().optional(),
  }),
  Description: z.string().max(256).optional(),
  Timeout: z.number().int().min(1).max(900).optional(),
  MemorySize: z.number().int().min(128).max(10240).optional(),
  Publish: z.boolean().optional(),
  Environment: EnvironmentSchema.optional(),
  PackageType: z.enum(["Zip", "Image"]).optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  Architectures: z
    .array(z.enum(["x86_64", "arm64"]))
    .max(1)
    .optional(),
});

const UpdateCodeSchema = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
  Architectures: z
    .array(z.enum(["x86_64", "arm64"]))
    .max(1)
    .optional(),
});

const UpdateConfigurationSchema = z.object({
  Role: RoleSchema.optional(),
  Handler: HandlerSchema.optional(),
  Description: z.string().max(256).optional(),
  Timeout: z.number().int().min(1).max(900).optional(),
  MemorySize: z.number().int().min(128).max(10240).optional(),
  Environment: EnvironmentSchema.optional(),
  Runtime: RuntimeSchema.optional(),
  RevisionId: z.string().optional(),
});

const PublishVersionSchema = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().max(256).optional(),
  RevisionId: z.string().optional(),
});

const CreateAliasSchema = z.object({
  Name: z.string(),
  FunctionVersion: z.string().min(1).max(1024),
  Description: z.string().max(256).optional(),
  RoutingConfig: RoutingConfigSchema.optional(),
});

const UpdateAliasSchema = z.object({
  FunctionVersion: z.string().min(1).max(1024).optional(),
  Description: z.string().max(256).optional(),
  RoutingConfig: RoutingConfigSchema.optional(),
  RevisionId: z.string().optional(),
});

const ConcurrencySchema = z.object({ ReservedConcurrentExecutions: z.number().int().min(0) });

export type InvocationType = "RequestResponse" | "Event" | "DryRun";

export interface InvokeOptions {
  invocationType?: InvocationType;
  /** "Tail" returns the last 4 KB of the invocation's log in `logResult` (base64). */
  logType?: "None" | "Tail";
  clientContext?: unknown;
}

/** What Lambda answers to an Invoke: the HTTP status, payload and headers' values. */
export interface InvokeResult {
  statusCode: number;
  functionError?: "Unhandled";
  payload: Buffer;
  executedVersion: string;
  durationMs: number;
  logResult?: string;
  requestId: string;
}

export interface LambdaBackendOptions {
  codeStore: CodeStore;
  runtime: LambdaRuntime;
  /** Records AWS/Lambda metric data for an invocation. */
  recordMetrics: (accountId: string, region: string, data: MetricDatum[]) => void;
  /** The account's own credentials, handed to its functions as their execution role's. */
  credentialsOf: (accountId: string) => { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Base URL of the AWS server (AWS_ENDPOINT_URL of every function). */
  serverUrl: () => string;
  /** A short-lived download URL for a package (GetFunction's Code.Location). */
  codeLocation: (pkg: StoredPackage) => string;
  now?: () => number;
  random?: () => number;
}

interface Ctx {
  accountId: string;
  region: string;
}

function decodeZip(base64: string | undefined): Buffer {
  if (base64 === undefined || base64 === "") {
    throw invalidValue(
      "Please provide a source for function code: the sandbox accepts Code.ZipFile (S3 and image sources are not available).",
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw invalidValue("Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  return Buffer.from(base64, "base64");
}

function checkEnvironment(variables: Record<string, string> | undefined): Record<string, string> {
  const env = variables ?? {};
  const reserved = Object.keys(env).filter((key) => reservedEnvironmentKeys.has(key));
  if (reserved.length > 0) {
    throw invalidValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(",")}`,
    );
  }
  for (const key of Object.keys(env)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) {
      throw validationError(
        "environment.variables",
        key,
        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
      );
    }
  }
  const size = Object.entries(env).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  if (size > 4096) {
    throw invalidValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size}`,
    );
  }
  return { ...env };
}

function sameConfiguration(a: VersionConfig, b: VersionConfig): boolean {
  return (
    a.pkg.shaHex === b.pkg.shaHex &&
    a.runtime === b.runtime &&
    a.handler === b.handler &&
    a.role === b.role &&
    a.memorySize === b.memorySize &&
    a.timeout === b.timeout &&
    JSON.stringify(a.environment) === JSON.stringify(b.environment)
  );
}

export class LambdaBackend {
  readonly #regions = new Regional<Map<string, FunctionRecord>>(() => new Map());
  readonly #options: LambdaBackendOptions;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(options: LambdaBackendOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  // ---- lookups ----

  /** Resolves a FunctionName (+ optional Qualifier) in the caller's account and region. */
  #locate(
    ctx: Ctx,
    functionName: string,
    qualifier: string | undefined,
  ): { fn: FunctionRecord; id: FunctionId; qualifier: string | undefined } {
    const id = parseFunctionId(functionName);
    if (id.accountId !== undefined && id.accountId !== ctx.accountId) {
      throw new AwsServiceError(
        "AccessDeniedException",
        `User: arn:aws:iam::${ctx.accountId}:user is not authorized to access the function ${functionName} of account ${id.accountId} because no resource-based policy allows it.`,
        { status: 403 },
      );
    }
    if (qualifier !== undefined) checkQualifier(qualifier);
    if (id.qualifier !== undefined && qualifier !== undefined && id.qualifier !== qualifier) {
      throw invalidValue(
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    const effective = qualifier ?? id.qualifier;
    const fn =
      id.region === undefined || id.region === ctx.region
        ? this.#regions.peek(ctx.accountId, ctx.region)?.get(id.name)
        : undefined;
    if (!fn) throw functionNotFound(ctx.region, ctx.accountId, id.name);
    return { fn, id, qualifier: effective };
  }

  /** The configuration a qualifier names: $LATEST, a version, or the primary version of an alias. */
  #configFor(ctx: Ctx, fn: FunctionRecord, qualifier: string | undefined): VersionConfig {
    if (qualifier === undefined || qualifier === LATEST) return fn.latest;
    const version = fn.versions.get(qualifier);
    if (version) return version;
    const alias = fn.aliases.get(qualifier);
    if (alias) {
      const target = alias.functionVersion === LATEST ? fn.latest : fn.versions.get(alias.functionVersion);
      if (target) return target;
    }
    throw functionNotFound(ctx.region, ctx.accountId, fn.name, qualifier);
  }

  #configuration(ctx: Ctx, fn: FunctionRecord, config: VersionConfig, arnQualifier: string | undefined) {
    return {
      FunctionName: fn.name,
      FunctionArn: functionArn(ctx.region, ctx.accountId, fn.name, arnQualifier),
      Runtime: config.runtime,
      Role: config.role,
      Handler: config.handler,
      CodeSize: config.pkg.size,
      Description: config.description,
      Timeout: config.timeout,
      MemorySize: config.memorySize,
      LastModified: lambdaTimestamp(config.lastModified),
      CodeSha256: config.pkg.codeSha256,
      Version: config.version,
      Environment:
        Object.keys(config.environment).length > 0 ? { Variables: { ...config.environment } } : undefined,
      TracingConfig: { Mode: "PassThrough" },
      RevisionId: config.revisionId,
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${fn.name}` },
    };
  }

  #alias(ctx: Ctx, fn: FunctionRecord, alias: AliasRecord) {
    return {
      AliasArn: functionArn(ctx.region, ctx.accountId, fn.name, alias.name),
      Name: alias.name,
      FunctionVersion: alias.functionVersion,
      Description: alias.description,
      RoutingConfig: alias.weights ? { AdditionalVersionWeights: { ...alias.weights } } : undefined,
      RevisionId: alias.revisionId,
    };
  }

  // ---- functions ----

  createFunction(ctx: Ctx, body: unknown) {
    const request = parseInput(CreateFunctionSchema, body, validation);
    const id = parseFunctionId(request.FunctionName, "functionName", 140);
    if (id.qualifier !== undefined) {
      throw invalidValue("A function name in CreateFunction must not carry a qualifier.");
    }
    if (id.accountId !== undefined && id.accountId !== ctx.accountId) {
      throw new AwsServiceError(
        "AccessDeniedException",
        `You cannot create a function in account ${id.accountId}.`,
        {
          status: 403,
        },
      );
    }
    if (request.PackageType === "Image" || request.Code.ImageUri !== undefined) {
      throw invalidValue(
        "Container image functions are not available in the sandbox; upload a .zip package as Code.ZipFile.",
      );
    }
    if (request.Runtime === undefined || request.Handler === undefined) {
      throw invalidValue("Runtime and Handler are required for functions with package type Zip.");
    }
    const functions = this.#regions.get(ctx.accountId, ctx.region);
    if (functions.has(id.name)) {
      throw new AwsServiceError("ResourceConflictException", `Function already exist: ${id.name}`, {
        status: 409,
      });
    }
    const pkg = this.#options.codeStore.put(decodeZip(request.Code.ZipFile));
    const latest: VersionConfig = {
      version: LATEST,
      pkg,
      description: request.Description ?? "",
      runtime: request.Runtime,
      handler: request.Handler,
      role: request.Role,
      memorySize: request.MemorySize ?? 128,
      timeout: request.Timeout ?? 3,
      environment: checkEnvironment(request.Environment?.Variables),
      lastModified: new Date(this.#now()),
      revisionId: randomUUID(),
    };
    const fn: FunctionRecord = {
      name: id.name,
      generation: randomUUID(),
      latest,
      versions: new Map(),
      lastVersionNumber: 0,
      aliases: new Map(),
      reservedConcurrency: undefined,
      tags: request.Tags ?? {},
      inFlight: 0,
    };
    functions.set(id.name, fn);
    if (request.Publish) {
      const version = this.#publish(fn, latest.description);
      return this.#configuration(ctx, fn, version, version.version);
    }
    return this.#configuration(ctx, fn, latest, undefined);
  }

  getFunction(ctx: Ctx, functionName: string, qualifier: string | undefined) {
    const located = this.#locate(ctx, functionName, qualifier);
    const config = this.#configFor(ctx, located.fn, located.qualifier);
    return {
      Configuration: this.#configuration(ctx, located.fn, config, located.qualifier),
      Code: { RepositoryType: "S3", Location: this.#options.codeLocation(config.pkg) },
      Tags: Object.keys(located.fn.tags).length > 0 ? { ...located.fn.tags } : undefined,
      Concurrency:
        located.fn.reservedConcurrency === undefined
          ? undefined
          : { ReservedConcurrentExecutions: located.fn.reservedConcurrency },
    };
  }

  getFunctionConfiguration(ctx: Ctx, functionName: string, qualifier: string | undefined) {
    const located = this.#locate(ctx, functionName, qualifier);
    const config = this.#configFor(ctx, located.fn, located.qualifier);
    return this.#configuration(ctx, located.fn, config, located.qualifier);
  }

  listFunctions(ctx: Ctx, marker: string | undefined, maxItems: number | undefined, allVersions: boolean) {
    const functions = [...(this.#regions.peek(ctx.accountId, ctx.region)?.values() ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    const entries = functions.flatMap((fn) => {
      const latest = this.#configuration(ctx, fn, fn.latest, allVersions ? LATEST : undefined);
      if (!allVersions) return [latest];
      return [
        latest,
        ...[...fn.versions.values()].map((version) => this.#configuration(ctx, fn, version, version.version)),
      ];
    });
    const { page, next } = this.#page(entries, marker, maxItems);
    return { Functions: page, NextMarker: next };
  }

  deleteFunction(ctx: Ctx, functionName: string, qualifier: string | undefined): void {
    const located = this.#locate(ctx, functionName, qualifier);
    const { fn } = located;
    if (located.qualifier === undefined) {
      this.#regions.get(ctx.accountId, ctx.region).delete(fn.name);
      this.#options.runtime.retire(this.#workerPrefix(ctx, fn));
      return;
    }
    if (located.qualifier === LATEST) {
      throw invalidValue("$LATEST version cannot be deleted without deleting the function.");
    }
    if (!fn.versions.has(located.qualifier)) {
      throw functionNotFound(ctx.region, ctx.accountId, fn.name, located.qualifier);
    }
    const referencing = [...fn.aliases.values()].filter(
      (alias) =>
        alias.functionVersion === located.qualifier || alias.weights?.[located.qualifier ?? ""] !== undefined,
    );
    if (referencing.length > 0) {
      throw new AwsServiceError(
        "ResourceConflictException",
        `Unable to delete version because the following aliases reference it: [${referencing.map((alias) => alias.name).join(", ")}]`,
        { status: 409 },
      );
    }
    fn.versions.delete(located.qualifier);
    this.#options.runtime.retire(`${this.#workerPrefix(ctx, fn)}${located.qualifier}/`);
  }

  updateFunctionCode(ctx: Ctx, functionName: string, body: unknown) {
    const request = parseInput(UpdateCodeSchema, body, validation);
    const located = this.#locate(ctx, functionName, undefined);
    if (located.id.qualifier !== undefined) {
      throw invalidValue(
        "UpdateFunctionCode operates on $LATEST; remove the qualifier from the function name.",
      );
    }
    const { fn } = located;
    if (request.RevisionId !== undefined && request.RevisionId !== fn.latest.revisionId) {
      throw this.#revisionMismatch("GetFunction");
    }
    if (request.ImageUri !== undefined) {
      throw invalidValue(
        "Container image functions are not available in the sandbox; upload a .zip package as ZipFile.",
      );
    }
    const pkg = this.#options.codeStore.put(decodeZip(request.ZipFile));
    if (request.DryRun) {
      return this.#configuration(ctx, fn, { ...fn.latest, pkg }, undefined);
    }
    fn.latest = { ...fn.latest, pkg, lastModified: new Date(this.#now()), revisionId: randomUUID() };
    this.#options.runtime.retire(`${this.#workerPrefix(ctx, fn)}${LATEST}/`);
    if (request.Publish) {
      const version = this.#publish(fn, fn.latest.description);
      return this.#configuration(ctx, fn, version, version.version);
    }
    return this.#configuration(ctx, fn, fn.latest, undefined);
  }

  updateFunctionConfiguration(ctx: Ctx, functionName: string, body: unknown) {
    const request = parseInput(UpdateConfigurationSchema, body, validation);
    const located = this.#locate(ctx, functionName, undefined);
    const { fn } = located;
    if (request.RevisionId !== undefined && request.RevisionId !== fn.latest.revisionId) {
      throw this.#revisionMismatch("GetFunction");
    }
    const latest = fn.latest;
    fn.latest = {
      ...latest,
      role: request.Role ?? latest.role,
      handler: request.Handler ?? latest.handler,
      description: request.Description ?? latest.description,
      timeout: request.Timeout ?? latest.timeout,
      memorySize: request.MemorySize ?? latest.memorySize,
      runtime: request.Runtime ?? latest.runtime,
      environment:
        request.Environment === undefined
          ? latest.environment
          : checkEnvironment(request.Environment.Variables),
      lastModified: new Date(this.#now()),
      revisionId: randomUUID(),
    };
    this.#options.runtime.retire(`${this.#workerPrefix(ctx, fn)}${LATEST}/`);
    return this.#configuration(ctx, fn, fn.latest, undefined);
  }

  #revisionMismatch(getter: string): AwsServiceError {
    return new AwsServiceError(
      "PreconditionFailedException",
      `The Revision Id provided does not match the latest Revision Id. Call the ${getter} API to retrieve the latest Revision Id`,
      { status: 412 },
    );
  }

  #publish(fn: FunctionRecord, description: string): VersionConfig {
    const previous = fn.versions.get(String(fn.lastVersionNumber));
    // Lambda does not publish a new version when neither code nor configuration changed.
    if (previous && sameConfiguration(previous, fn.latest)) return previous;
    fn.lastVersionNumber += 1;
    const version: VersionConfig = {
      ...fn.latest,
      version: String(fn.lastVersionNumber),
      description,
      environment: { ...fn.latest.environment },
      lastModified: new Date(this.#now()),
      revisionId: randomUUID(),
    };
    fn.versions.set(version.version, version);
    return version;
  }

  publishVersion(ctx: Ctx, functionName: string, body: unknown) {
    const request = parseInput(PublishVersionSchema, body, validation);
    const located = this.#locate(ctx, functionName, undefined);
    const { fn } = located;
    if (request.CodeSha256 !== undefined && request.CodeSha256 !== fn.latest.pkg.codeSha256) {
      throw new AwsServiceError(
        "PreconditionFailedException",
        `CodeSHA256 (${request.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.pkg.codeSha256}). Please try publishing again with the current CodeSHA256.`,
        { status: 412 },
      );
    }
    if (request.RevisionId !== undefined && request.RevisionId !== fn.latest.revisionId) {
      throw this.#revisionMismatch("GetFunction");
    }
    const version = this.#publish(fn, request.Description ?? fn.latest.description);
    return this.#configuration(ctx, fn, version, version.version);
  }

  /**
   * Backdates the LastModified of `$LATEST` or a published version. In-process only: Lambda has no
   * such API; the sandbox uses it so a seeded or aged version looks deployed when its record says.
   */
  setLastModified(ctx: Ctx, functionName: string, version: string, lastModified: Date): void {
    const { fn } = this.#locate(ctx, functionName, undefined);
    const config = version === LATEST ? fn.latest : fn.versions.get(version);
    if (!config) throw functionNotFound(ctx.region, ctx.accountId, fn.name, version);
    config.lastModified = new Date(lastModified.getTime());
  }

  listVersionsByFunction(
    ctx: Ctx,
    functionName: string,
    marker: string | undefined,
    maxItems: number | undefined,
  ) {
    const { fn } = this.#locate(ctx, functionName, undefined);
    const entries = [
      this.#configuration(ctx, fn, fn.latest, LATEST),
      ...[...fn.versions.values()].map((version) => this.#configuration(ctx, fn, version, version.version)),
    ];
    const { page, next } = this.#page(entries, marker, maxItems);
    return { Versions: page, NextMarker: next };
  }

  #page<T>(
    items: readonly T[],
    marker: string | undefined,
    maxItems: number | undefined,
  ): { page: T[]; next?: string } {
    let offset = 0;
    if (marker !== undefined) {
      const decoded = Number(Buffer.from(marker, "base64url").toString("utf8"));
      if (!Number.isInteger(decoded) || decoded < 0) throw invalidValue(`Invalid Marker: ${marker}`);
      offset = decoded;
    }
    if (maxItems !== undefined && (maxItems < 1 || maxItems > 10_000)) {
      throw validationError("maxItems", String(maxItems), "Member must have value between 1 and 10000");
    }
    const limit = maxItems ?? 50;
    const page = items.slice(offset, offset + limit);
    return offset + limit < items.length
      ? { page, next: Buffer.from(String(offset + limit)).toString("base64url") }
      : { page };
  }

  // ---- aliases ----

  #checkRouting(
    ctx: Ctx,
    fn: FunctionRecord,
    primary: string,
    weights: Record<string, number> | undefined,
  ): Record<string, number> | undefined {
    if (weights === undefined || Object.keys(weights).length === 0) return undefined;
    const entries = Object.entries(weights);
    if (entries.length > 1) {
      throw invalidValue("Number of items in AdditionalVersionWeights must be at most 1.");
    }
    if (primary === LATEST) {
      throw invalidValue("$LATEST is not supported for an alias pointing to more than 1 version");
    }
    for (const [version] of entries) {
      if (version === primary) {
        throw invalidValue(
          `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
        );
      }
      if (!fn.versions.has(version)) throw functionNotFound(ctx.region, ctx.accountId, fn.name, version);
    }
    return Object.fromEntries(entries);
  }

  #checkVersion(ctx: Ctx, fn: FunctionRecord, version: string): void {
    if (version !== LATEST && !fn.versions.has(version)) {
      throw functionNotFound(ctx.region, ctx.accountId, fn.name, version);
    }
  }

  createAlias(ctx: Ctx, functionName: string, body: unknown) {
    const request = parseInput(CreateAliasSchema, body, validation);
    const { fn, id } = this.#locate(ctx, functionName, undefined);
    if (id.qualifier !== undefined)
      throw invalidValue("The function name of CreateAlias must not carry a qualifier.");
    const name = checkAliasName(request.Name);
    if (fn.aliases.has(name)) {
      throw new AwsServiceError(
        "ResourceConflictException",
        `Alias already exists: ${functionArn(ctx.region, ctx.accountId, fn.name, name)}`,
        { status: 409 },
      );
    }
    this.#checkVersion(ctx, fn, request.FunctionVersion);
    const alias: AliasRecord = {
      name,
      functionVersion: request.FunctionVersion,
      description: request.Description ?? "",
      weights: this.#checkRouting(
        ctx,
        fn,
        request.FunctionVersion,
        request.RoutingConfig?.AdditionalVersionWeights,
      ),
      revisionId: randomUUID(),
    };
    fn.aliases.set(name, alias);
    return this.#alias(ctx, fn, alias);
  }

  #findAlias(ctx: Ctx, functionName: string, aliasName: string): { fn: FunctionRecord; alias: AliasRecord } {
    const { fn } = this.#locate(ctx, functionName, undefined);
    checkAliasName(aliasName);
    const alias = fn.aliases.get(aliasName);
    if (!alias) throw aliasNotFound(ctx.region, ctx.accountId, fn.name, aliasName);
    return { fn, alias };
  }

  getAlias(ctx: Ctx, functionName: string, aliasName: string) {
    const { fn, alias } = this.#findAlias(ctx, functionName, aliasName);
    return this.#alias(ctx, fn, alias);
  }

  updateAlias(ctx: Ctx, functionName: string, aliasName: string, body: unknown) {
    const request = parseInput(UpdateAliasSchema, body, validation);
    const { fn, alias } = this.#findAlias(ctx, functionName, aliasName);
    if (request.RevisionId !== undefined && request.RevisionId !== alias.revisionId) {
      throw this.#revisionMismatch("GetAlias");
    }
    const primary = request.FunctionVersion ?? alias.functionVersion;
    this.#checkVersion(ctx, fn, primary);
    const weights =
      request.RoutingConfig === undefined ? alias.weights : request.RoutingConfig.AdditionalVersionWeights;
    const checked = this.#checkRouting(ctx, fn, primary, weights);
    const updated: AliasRecord = {
      name: alias.name,
      functionVersion: primary,
      description: request.Description ?? alias.description,
      weights: checked,
      revisionId: randomUUID(),
    };
    fn.aliases.set(alias.name, updated);
    return this.#alias(ctx, fn, updated);
  }

  listAliases(
    ctx: Ctx,
    functionName: string,
    functionVersion: string | undefined,
    marker: string | undefined,
    maxItems: number | undefined,
  ) {
    const { fn } = this.#locate(ctx, functionName, undefined);
    const aliases = [...fn.aliases.values()]
      .filter((alias) => functionVersion === undefined || alias.functionVersion === functionVersion)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((alias) => this.#alias(ctx, fn, alias));
    const { page, next } = this.#page(aliases, marker, maxItems);
    return { Aliases: page, NextMarker: next };
  }

  deleteAlias(ctx: Ctx, functionName: string, aliasName: string): void {
    const { fn } = this.#locate(ctx, functionName, undefined);
    checkAliasName(aliasName);
    // Deleting an alias that does not exist succeeds on Lambda.
    fn.aliases.delete(aliasName);
  }

  // ---- concurrency ----

  putFunctionConcurrency(ctx: Ctx, functionName: string, body: unknown) {
    const request = parseInput(ConcurrencySchema, body, validation);
    const { fn } = this.#locate(ctx, functionName, undefined);
    const others = [...(this.#regions.peek(ctx.accountId, ctx.region)?.values() ?? [])]
      .filter((other) => other !== fn)
      .reduce((sum, other) => sum + (other.reservedConcurrency ?? 0), 0);
    if (ACCOUNT_CONCURRENCY - others - request.ReservedConcurrentExecutions < MIN_UNRESERVED) {
      throw invalidValue(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`,
      );
    }
    fn.reservedConcurrency = request.ReservedConcurrentExecutions;
    return { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  getFunctionConcurrency(ctx: Ctx, functionName: string) {
    const { fn } = this.#locate(ctx, functionName, undefined);
    return fn.reservedConcurrency === undefined
      ? {}
      : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  deleteFunctionConcurrency(ctx: Ctx, functionName: string): void {
    const { fn } = this.#locate(ctx, functionName, undefined);
    fn.reservedConcurrency = undefined;
  }

  // ---- invoke ----

  #workerPrefix(ctx: Ctx, fn: FunctionRecord): string {
    return `${ctx.accountId}/${ctx.region}/${fn.name}/${fn.generation}/`;
  }

  #recordMetrics(
    ctx: Ctx,
    fn: FunctionRecord,
    qualifier: string | undefined,
    executedVersion: string,
    viaAlias: boolean,
    values: { Invocations?: number; Errors?: number; Duration?: number; Throttles: number },
    unitOf: (name: string) => string,
  ): void {
    const timestamp = new Date(this.#now());
    const base = { Name: "FunctionName", Value: fn.name };
    const dimensionSets = [[base]];
    if (qualifier !== undefined) {
      const resource = { Name: "Resource", Value: `${fn.name}:${qualifier}` };
      dimensionSets.push([base, resource]);
      if (viaAlias) {
        const executed = { Name: "ExecutedVersion", Value: executedVersion };
        dimensionSets.push([base, executed], [base, resource, executed]);
      }
    }
    const data: MetricDatum[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      for (const dimensions of dimensionSets) {
        data.push({
          MetricName: name,
          Dimensions: dimensions,
          Timestamp: timestamp,
          Unit: unitOf(name),
          StorageResolution: 60,
          samples: [value, 1],
        });
      }
    }
    this.#options.recordMetrics(ctx.accountId, ctx.region, data);
  }

  /**
   * Invokes a function as Lambda's Invoke API does (also used in-process by the API Gateway front).
   * Throws AwsServiceError for what Lambda answers as an API error (not found, throttled, bad payload).
   */
  async invoke(
    ctx: Ctx,
    functionName: string,
    qualifierParam: string | undefined,
    payload: Buffer,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const located = this.#locate(ctx, functionName, qualifierParam);
    const { fn, qualifier } = located;
    const invocationType = options.invocationType ?? "RequestResponse";
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new AwsServiceError(
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        { status: 413 },
      );
    }
    // Resolve the version to run (weighted alias routing picks per invocation).
    let config: VersionConfig;
    let viaAlias = false;
    const alias = qualifier === undefined ? undefined : fn.aliases.get(qualifier);
    if (alias && !fn.versions.has(qualifier ?? "")) {
      viaAlias = true;
      let chosen = alias.functionVersion;
      if (alias.weights) {
        const roll = this.#random();
        let cumulative = 0;
        for (const [version, weight] of Object.entries(alias.weights)) {
          cumulative += weight;
          if (roll < cumulative) {
            chosen = version;
            break;
          }
        }
      }
      config = this.#configFor(ctx, fn, chosen);
    } else {
      config = this.#configFor(ctx, fn, qualifier);
    }
    const text = payload.length === 0 ? "{}" : payload.toString("utf8");
    try {
      JSON.parse(text);
    } catch (error) {
      throw new AwsServiceError(
        "InvalidRequestContentException",
        `Could not parse request body into json: Could not parse payload into json: ${error instanceof Error ? error.message : String(error)}`,
        { status: 400 },
      );
    }
    const requestId = randomUUID();
    if (invocationType === "DryRun") {
      return {
        statusCode: 204,
        payload: Buffer.alloc(0),
        executedVersion: config.version,
        durationMs: 0,
        requestId,
      };
    }
    const unitOf = (name: string) => (name === "Duration" ? "Milliseconds" : "Count");
    const reserved = fn.reservedConcurrency;
    if (reserved !== undefined && fn.inFlight >= reserved) {
      this.#recordMetrics(ctx, fn, qualifier, config.version, viaAlias, { Throttles: 1 }, unitOf);
      throw new AwsServiceError("TooManyRequestsException", "Rate Exceeded.", {
        status: 429,
        fields: { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" },
      });
    }
    const run = this.#run(ctx, fn, config, qualifier, requestId, text, options, viaAlias, unitOf);
    if (invocationType === "Event") {
      run.catch(() => {});
      return {
        statusCode: 202,
        payload: Buffer.alloc(0),
        executedVersion: config.version,
        durationMs: 0,
        requestId,
      };
    }
    return run;
  }

  async #run(
    ctx: Ctx,
    fn: FunctionRecord,
    config: VersionConfig,
    qualifier: string | undefined,
    requestId: string,
    event: string,
    options: InvokeOptions,
    viaAlias: boolean,
    unitOf: (name: string) => string,
  ): Promise<InvokeResult> {
    fn.inFlight += 1;
    let outcome: Awaited<ReturnType<LambdaRuntime["invoke"]>>;
    try {
      const taskRoot = await this.#options.codeStore.unpack(config.pkg.shaHex);
      const target = this.#target(ctx, fn, config, taskRoot);
      outcome = await this.#options.runtime.invoke(target, {
        requestId,
        event,
        invokedFunctionArn: functionArn(ctx.region, ctx.accountId, fn.name, qualifier),
        clientContext: options.clientContext,
      });
    } finally {
      fn.inFlight -= 1;
    }
    let error: FunctionErrorPayload | undefined = outcome.error;
    let payload = outcome.payload;
    if (!error && Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      error = {
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
        trace: [],
      };
      payload = JSON.stringify(error);
    }
    this.#recordMetrics(
      ctx,
      fn,
      qualifier,
      config.version,
      viaAlias,
      { Invocations: 1, Errors: error ? 1 : 0, Duration: outcome.durationMs, Throttles: 0 },
      unitOf,
    );
    const result: InvokeResult = {
      statusCode: 200,
      payload: Buffer.from(payload),
      executedVersion: config.version,
      durationMs: outcome.durationMs,
      requestId,
    };
    if (error) result.functionError = "Unhandled";
    if (options.logType === "Tail") {
      const tail = Buffer.from(`${outcome.logLines.join("\n")}\n`);
      result.logResult = tail.subarray(Math.max(0, tail.length - 4096)).toString("base64");
    }
    return result;
  }

  #target(ctx: Ctx, fn: FunctionRecord, config: VersionConfig, taskRoot: string): RuntimeTarget {
    const credentials = this.#options.credentialsOf(ctx.accountId);
    const logGroupName = `/aws/lambda/${fn.name}`;
    const env: Record<string, string> = {
      ...config.environment,
      AWS_REGION: ctx.region,
      AWS_DEFAULT_REGION: ctx.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: config.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
      AWS_ENDPOINT_URL: this.#options.serverUrl(),
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: config.handler,
      LANG: "en_US.UTF-8",
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    };
    if (credentials) {
      env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    }
    const revision = config.version === LATEST ? config.revisionId : "published";
    return {
      key: `${this.#workerPrefix(ctx, fn)}${config.version}/${revision}`,
      accountId: ctx.accountId,
      region: ctx.region,
      functionName: fn.name,
      version: config.version,
      taskRoot,
      handler: config.handler,
      memorySize: config.memorySize,
      timeoutSeconds: config.timeout,
      env,
      logGroupName,
    };
  }
}
