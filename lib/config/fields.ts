/**
 * The overridable fields of an environment, derived from EnvironmentSchema so that the override file, the
 * HARNESS_<ENV>_<PATH> variables and their documentation can never drift from the schema.
 */
import { z } from "zod";
import { type EnvironmentId, EnvironmentSchema } from "../../runbooks/schema.ts";

/** Fields the runbook fixes: they define the promotion order, so no installation may change them. */
export const fixedFields = ["id", "promotedFrom"] as const;

export type FieldType = "string" | "number" | "integer" | "boolean";

export interface OverrideField {
  /** Path inside an environment, e.g. ["cognito", "userPoolId"]. */
  path: string[];
  /** The same path dotted: "cognito.userPoolId". */
  dotted: string;
  type: FieldType;
  nullable: boolean;
  optional: boolean;
  description: string;
  /** The field's own schema (wrappers included), to validate one overridden value. */
  schema: z.ZodType;
}

/** Narrows a core schema to the classic API; every schema in runbooks/schema.ts is built with it. */
export function classic(schema: z.core.$ZodType): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  throw new Error(
    "runbooks/schema.ts must build its schemas with the classic zod API (import { z } from 'zod').",
  );
}

function fieldType(schema: z.ZodType, where: string): FieldType {
  if (schema instanceof z.ZodNumber) return schema.isInt ? "integer" : "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodUnion) {
    const types = new Set(schema.options.map((option) => fieldType(classic(option), where)));
    const [only] = types;
    if (types.size === 1 && only !== undefined) return only;
  }
  // Formats (url, email) are strings in zod 4 without being ZodString instances.
  if (["string", "enum", "literal"].includes(schema.def.type)) return "string";
  throw new Error(
    `EnvironmentSchema field ${where} has a type (${schema.def.type}) the override loader cannot coerce.`,
  );
}

function collect(shape: z.ZodRawShape, prefix: string[]): OverrideField[] {
  return Object.entries(shape).flatMap(([key, coreSchema]): OverrideField[] => {
    const fieldSchema = classic(coreSchema);
    if (prefix.length === 0 && (fixedFields as readonly string[]).includes(key)) return [];
    const path = [...prefix, key];
    let inner: z.ZodType = fieldSchema;
    let nullable = false;
    let optional = false;
    let description = fieldSchema.description;
    for (;;) {
      if (inner instanceof z.ZodOptional) optional = true;
      else if (inner instanceof z.ZodNullable) nullable = true;
      else if (!(inner instanceof z.ZodDefault)) break;
      inner = classic(inner.unwrap());
      description ??= inner.description;
    }
    if (inner instanceof z.ZodObject) return collect(inner.shape, path);
    const dotted = path.join(".");
    return [
      {
        path,
        dotted,
        type: fieldType(inner, dotted),
        nullable,
        optional,
        description: description ?? "",
        schema: fieldSchema,
      },
    ];
  });
}

/** Every leaf of an environment a user may override, in schema order. */
export const overrideFields: readonly OverrideField[] = Object.freeze(collect(EnvironmentSchema.shape, []));

function upperSnake(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** The variable that overrides a field in one environment: HARNESS_SIT_API_URL. */
export function envVarName(envId: EnvironmentId, field: Pick<OverrideField, "path">): string {
  return ["HARNESS", envId.toUpperCase(), ...field.path.map(upperSnake)].join("_");
}

/** The keys an override object may hold at a path inside an environment ([] = the environment itself). */
export function knownKeysAt(path: readonly string[]): string[] {
  const keys = overrideFields
    .filter(
      (field) => path.every((segment, i) => field.path[i] === segment) && field.path.length > path.length,
    )
    .map((field) => field.path[path.length])
    .filter((key): key is string => key !== undefined);
  return [...new Set(keys)];
}
