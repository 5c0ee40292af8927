/**
 * SSM Parameter Store (JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`): parameters per (account, region)
 * with versions, Overwrite semantics and SecureString values that stay opaque unless decrypted.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { AwsServiceError } from "../errors.ts";
import { type CallContext, type Operation, Regional } from "../regional.ts";
import { parseInput } from "../validation.ts";

export const ParameterTypeSchema = z.enum(["String", "StringList", "SecureString"]);
export type ParameterType = z.infer<typeof ParameterTypeSchema>;

interface ParameterVersion {
  version: number;
  value: string;
  type: ParameterType;
  description: string | undefined;
  lastModified: Date;
  dataType: string;
}

interface ParameterRecord {
  name: string;
  versions: ParameterVersion[];
}

interface Resolved {
  record: ParameterRecord;
  version: ParameterVersion;
  selector: string | undefined;
}

const validation = (message: string) => new AwsServiceError("ValidationException", message);

const NAME_PATTERN = /^(\/[a-zA-Z0-9_.-]+)+$|^[a-zA-Z0-9_.-]+$/;
const ParameterNameSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine((name) => NAME_PATTERN.test(name), {
    message:
      "Member must be a parameter name: letters, digits and . - _ with optional / hierarchy levels, e.g. /bbws-access/dev/deployed-version",
  });
/** A name in a Get call may carry a `:version` selector. */
const SelectorNameSchema = z.string().min(1).max(2048);

/** Everything SSM allows in a PutParameter request that this sandbox honours. */
export const PutParameterInputSchema = z.object({
  Name: ParameterNameSchema,
  Value: z.string().max(4096),
  Type: ParameterTypeSchema.optional(),
  Overwrite: z.boolean().optional(),
  Description: z.string().max(1024).optional(),
  DataType: z.enum(["text", "aws:ec2:image", "aws:ssm:integration"]).optional(),
  Tier: z.enum(["Standard", "Advanced", "Intelligent-Tiering"]).optional(),
  KeyId: z.string().optional(),
  AllowedPattern: z.string().max(1024).optional(),
});
export type PutParameterInput = z.input<typeof PutParameterInputSchema>;

const MAX_VERSIONS = 100;

function parameterNotFound(name: string): AwsServiceError {
  return new AwsServiceError("ParameterNotFound", `Parameter ${name} not found.`);
}

function checkReservedPrefix(name: string): void {
  const first = (name.startsWith("/") ? name.slice(1) : name).split("/")[0]?.toLowerCase() ?? "";
  if (first.startsWith("aws") || first.startsWith("ssm")) {
    throw validation(
      `No access to reserved parameter name: ${name}. Parameter names can't be prefixed with "aws" or "ssm" (case-insensitive).`,
    );
  }
  if (name.split("/").length - (name.startsWith("/") ? 1 : 0) > 15) {
    throw new AwsServiceError(
      "HierarchyLevelLimitExceededException",
      "Parameter name can't have more than 15 hierarchy levels.",
    );
  }
}

/** SecureString values are returned as opaque ciphertext unless WithDecryption is set, as on AWS. */
function ciphertext(value: string, accountId: string): string {
  const digest = createHash("sha256").update(`${accountId}:${value}`).digest();
  return Buffer.concat([Buffer.from("AQICAHh", "utf8"), digest, Buffer.from(value).reverse()]).toString(
    "base64",
  );
}

export class SsmBackend {
  readonly #regions = new Regional<Map<string, ParameterRecord>>(() => new Map());
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #arn(ctx: { accountId: string; region: string }, name: string): string {
    return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter/${name.startsWith("/") ? name.slice(1) : name}`;
  }

  /** Creates or (with Overwrite) updates a parameter; returns the new version. */
  putParameter(
    accountId: string,
    region: string,
    input: unknown,
  ): { Version: number; Tier: "Standard" | "Advanced" | "Intelligent-Tiering" } {
    const request = parseInput(PutParameterInputSchema, input, validation);
    checkReservedPrefix(request.Name);
    if (request.AllowedPattern !== undefined) {
      let allowed: RegExp;
      try {
        allowed = new RegExp(request.AllowedPattern);
      } catch {
        throw validation(`AllowedPattern ${request.AllowedPattern} is not a valid regular expression.`);
      }
      if (!allowed.test(request.Value)) {
        throw new AwsServiceError(
          "ParameterPatternMismatchException",
          `Parameter value, ${request.Value}, failed to satisfy constraint specified in AllowedPattern: ${request.AllowedPattern}.`,
        );
      }
    }
    const parameters = this.#regions.get(accountId, region);
    const existing = parameters.get(request.Name);
    const latest = existing?.versions[existing.versions.length - 1];
    if (latest && !request.Overwrite) {
      throw new AwsServiceError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      );
    }
    const type = request.Type ?? latest?.type;
    if (type === undefined) {
      throw validation("A parameter type is required when you create a parameter.");
    }
    if (
      latest &&
      request.Type !== undefined &&
      request.Type !== latest.type &&
      latest.type === "SecureString"
    ) {
      throw new AwsServiceError(
        "UnsupportedParameterType",
        "You can't change a SecureString parameter to another type. Delete and recreate it.",
      );
    }
    const version: ParameterVersion = {
      version: (latest?.version ?? 0) + 1,
      value: request.Value,
      type,
      description: request.Description ?? latest?.description,
      lastModified: new Date(this.#now()),
      dataType: request.DataType ?? latest?.dataType ?? "text",
    };
    if (existing) {
      existing.versions.push(version);
      if (existing.versions.length > MAX_VERSIONS) existing.versions.shift();
    } else {
      parameters.set(request.Name, { name: request.Name, versions: [version] });
    }
    return { Version: version.version, Tier: request.Tier ?? "Standard" };
  }

  #resolve(ctx: { accountId: string; region: string }, selector: string): Resolved | undefined {
    const colon = selector.lastIndexOf(":");
    const hasSelector = colon > 0 && !selector.startsWith("arn:");
    const name = hasSelector ? selector.slice(0, colon) : selector;
    const versionSelector = hasSelector ? selector.slice(colon + 1) : undefined;
    const record = this.#regions.peek(ctx.accountId, ctx.region)?.get(name);
    if (!record) return undefined;
    if (versionSelector === undefined) {
      const latest = record.versions[record.versions.length - 1];
      return latest ? { record, version: latest, selector: undefined } : undefined;
    }
    if (!/^\d+$/.test(versionSelector)) return undefined;
    const version = record.versions.find((candidate) => candidate.version === Number(versionSelector));
    if (!version) {
      throw new AwsServiceError(
        "ParameterVersionNotFound",
        `Systems Manager could not find version ${versionSelector} of ${name}. Verify the version and try again.`,
      );
    }
    return { record, version, selector: `:${versionSelector}` };
  }

  #render(ctx: { accountId: string; region: string }, found: Resolved, decrypt: boolean) {
    const { record, version } = found;
    return {
      Name: record.name,
      Type: version.type,
      Value:
        version.type === "SecureString" && !decrypt
          ? ciphertext(version.value, ctx.accountId)
          : version.value,
      Version: version.version,
      Selector: found.selector,
      LastModifiedDate: version.lastModified,
      ARN: this.#arn(ctx, record.name),
      DataType: version.dataType,
    };
  }

  /** The latest (or `name:version`) value of a parameter. */
  getParameter(accountId: string, region: string, input: unknown) {
    const request = parseInput(
      z.object({ Name: SelectorNameSchema, WithDecryption: z.boolean().optional() }),
      input,
      validation,
    );
    const ctx = { accountId, region };
    const found = this.#resolve(ctx, request.Name);
    if (!found) throw parameterNotFound(request.Name);
    return { Parameter: this.#render(ctx, found, request.WithDecryption === true) };
  }

  getParameters(input: unknown, ctx: CallContext) {
    const request = parseInput(
      z.object({ Names: z.array(SelectorNameSchema).min(1).max(10), WithDecryption: z.boolean().optional() }),
      input,
      validation,
    );
    const parameters: unknown[] = [];
    const invalid: string[] = [];
    for (const name of request.Names) {
      let found: Resolved | undefined;
      try {
        found = this.#resolve(ctx, name);
      } catch {
        found = undefined;
      }
      if (found) parameters.push(this.#render(ctx, found, request.WithDecryption === true));
      else invalid.push(name);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  getParametersByPath(input: unknown, ctx: CallContext) {
    const request = parseInput(
      z.object({
        Path: z.string().min(1).max(2048),
        Recursive: z.boolean().optional(),
        WithDecryption: z.boolean().optional(),
        MaxResults: z.number().int().min(1).max(10).optional(),
        NextToken: z.string().optional(),
      }),
      input,
      validation,
    );
    const prefix = request.Path.endsWith("/") ? request.Path : `${request.Path}/`;
    const matches = [...(this.#regions.peek(ctx.accountId, ctx.region)?.values() ?? [])]
      .filter((record) => record.name.startsWith(prefix))
      .filter((record) => request.Recursive === true || !record.name.slice(prefix.length).includes("/"))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const offset = request.NextToken === undefined ? 0 : Number(request.NextToken);
    if (!Number.isInteger(offset) || offset < 0) throw validation("The specified NextToken is invalid.");
    const limit = request.MaxResults ?? 10;
    const page = matches.slice(offset, offset + limit).flatMap((record) => {
      const latest = record.versions[record.versions.length - 1];
      return latest
        ? [
            this.#render(
              ctx,
              { record, version: latest, selector: undefined },
              request.WithDecryption === true,
            ),
          ]
        : [];
    });
    return {
      Parameters: page,
      NextToken: offset + limit < matches.length ? String(offset + limit) : undefined,
    };
  }

  deleteParameter(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(z.object({ Name: ParameterNameSchema }), input, validation);
    const parameters = this.#regions.peek(ctx.accountId, ctx.region);
    if (!parameters?.delete(request.Name)) throw parameterNotFound(request.Name);
    return {};
  }

  /** The wire operations, by X-Amz-Target operation name. */
  operations(): Record<string, Operation> {
    return {
      PutParameter: (input, ctx) => this.putParameter(ctx.accountId, ctx.region, input),
      GetParameter: (input, ctx) => this.getParameter(ctx.accountId, ctx.region, input),
      GetParameters: (input, ctx) => this.getParameters(input, ctx),
      GetParametersByPath: (input, ctx) => this.getParametersByPath(input, ctx),
      DeleteParameter: (input, ctx) => this.deleteParameter(input, ctx),
    };
  }
}
