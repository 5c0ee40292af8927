/**
 * Resolves the harness configuration: runbook defaults, then an override file, then HARNESS_<ENV>_<PATH>
 * variables. Every problem is collected and reported in one ConfigError.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import {
  type Environment,
  type EnvironmentId,
  EnvironmentSchema,
  environments as environmentDefaults,
  environmentIds,
  type Runbook,
  runbooks,
  type Service,
  type ServiceId,
  services,
} from "../../runbooks/index.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import {
  classic,
  envVarName,
  fixedFields,
  knownKeysAt,
  type OverrideField,
  overrideFields,
} from "./fields.ts";
import { CONFIG_VARS_HINT, configErrorMap, suggest } from "./messages.ts";

export interface HarnessConfig {
  environments: Record<EnvironmentId, Environment>;
  services: Record<ServiceId, Service>;
  runbooks: readonly Runbook[];
  /** Which file or variable changed which path, in the order applied; the first entry names the defaults. */
  sources: string[];
}

export interface LoadOptions {
  /** Override file; defaults to $HARNESS_CONFIG. */
  configFile?: string;
  /** Where HARNESS_* variables are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A strict, everywhere-optional copy of an object schema: the shape an override file may take. */
function partialStrict(shape: z.ZodRawShape, skip: readonly string[]): z.ZodType {
  const entries = Object.entries(shape)
    .filter(([key]) => !skip.includes(key))
    .map(([key, field]) => [
      key,
      (field instanceof z.ZodObject ? partialStrict(field.shape, []) : classic(field)).optional(),
    ]);
  return z.strictObject(Object.fromEntries(entries));
}

const environmentOverrideSchema = partialStrict(EnvironmentSchema.shape, fixedFields);
const OverrideFileSchema = z.strictObject({
  environments: z
    .strictObject({
      dev: environmentOverrideSchema.optional(),
      sit: environmentOverrideSchema.optional(),
      prod: environmentOverrideSchema.optional(),
    })
    .optional(),
});

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function unknownKeyMessage(parent: readonly PropertyKey[], key: string): string {
  if (parent.length === 0) return `unknown key; ${suggest(key, ["environments"])}`;
  if (parent.length === 1) return `unknown environment; expected one of ${environmentIds.join(", ")}`;
  if (parent.length === 2 && (fixedFields as readonly string[]).includes(key)) {
    return "is fixed by the runbook (it sets the promotion order) and cannot be overridden";
  }
  return `unknown key; ${suggest(key, knownKeysAt(parent.slice(2).map(String)))}`;
}

function fileIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: dotted([...issue.path, key]),
          message: unknownKeyMessage(issue.path, key),
        }))
      : [{ path: dotted(issue.path) || "(top level)", message: issue.message }],
  );
}

function readOverrideFile(file: string): { data?: Json; issues: ConfigIssue[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { issues: [{ path: file, message: `cannot be read (${reason})` }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { issues: [{ path: file, message: `is not valid JSON (${reason})` }] };
  }
  if (!isRecord(raw)) {
    return {
      issues: [{ path: file, message: 'must hold a JSON object such as {"environments": {"sit": {...}}}' }],
    };
  }
  const parsed = OverrideFileSchema.safeParse(raw, { error: configErrorMap });
  return { data: raw, issues: parsed.success ? [] : fileIssues(parsed.error) };
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function coerce(raw: string, field: OverrideField): { value: unknown } | { problem: string } {
  if (field.nullable && raw === "null") return { value: null };
  switch (field.type) {
    case "number":
    case "integer":
      return NUMBER.test(raw.trim())
        ? { value: Number(raw) }
        : { problem: `must be a number, got ${JSON.stringify(raw)}` };
    case "boolean": {
      const lower = raw.trim().toLowerCase();
      if (lower === "true" || lower === "1") return { value: true };
      if (lower === "false" || lower === "0") return { value: false };
      return { problem: `must be true or false, got ${JSON.stringify(raw)}` };
    }
    case "string":
      return { value: raw };
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = isRecord(target[head]) ? target[head] : {};
  target[head] = next;
  setPath(next, rest, value);
}

function mergeInto(target: Json, source: Json): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isRecord(value) && isRecord(current)) mergeInto(current, value);
    else target[key] = value;
  }
}

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!isRecord(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/** Loads and validates the harness configuration; throws one ConfigError listing every problem. */
export function loadHarnessConfig(options: LoadOptions = {}): HarnessConfig {
  const env = options.env ?? process.env;
  const configFile = options.configFile ?? (env.HARNESS_CONFIG || undefined);
  const issues: ConfigIssue[] = [];
  const sources = ["defaults: runbooks/environments.ts, runbooks/services.ts"];
  // Who set each `<env>.<path>` last, to name it when the merged environment fails validation.
  const setBy = new Map<string, string>();
  const overrides: Json = {};

  if (configFile !== undefined) {
    const file = readOverrideFile(configFile);
    issues.push(...file.issues);
    const fileEnvironments = file.data?.environments;
    // An environment whose section has problems is not applied: its other values would only add follow-on
    // noise. Clean sections are, so that cross-field rules (PROD stays read-only) still see them.
    const clean = environmentIds.filter(
      (envId) =>
        isRecord(fileEnvironments) &&
        isRecord(fileEnvironments[envId]) &&
        !file.issues.some((issue) => `${issue.path}.`.startsWith(`environments.${envId}.`)),
    );
    for (const envId of clean) {
      const section = isRecord(fileEnvironments) ? fileEnvironments[envId] : undefined;
      if (!isRecord(section)) continue;
      setPath(overrides, [envId], structuredClone(section));
      for (const path of leafPaths(section, [envId])) {
        const configPath = `environments.${path.join(".")}`;
        sources.push(`${configPath} from ${configFile}`);
        setBy.set(path.join("."), configPath);
      }
    }
  }

  const knownVariables = new Set<string>();
  for (const envId of environmentIds) {
    for (const field of overrideFields) {
      const name = envVarName(envId, field);
      knownVariables.add(name);
      const raw = env[name];
      // An empty variable is unset: CI systems export empty strings for secrets and vars nobody defined.
      if (raw === undefined || raw === "") continue;
      const coerced = coerce(raw, field);
      if ("problem" in coerced) {
        issues.push({ path: name, message: coerced.problem });
        continue;
      }
      const checked = field.schema.safeParse(coerced.value, { error: configErrorMap });
      if (!checked.success) {
        issues.push(...checked.error.issues.map((issue) => ({ path: name, message: issue.message })));
        continue;
      }
      setPath(overrides, [envId, ...field.path], checked.data);
      sources.push(`environments.${envId}.${field.dotted} from ${name}`);
      setBy.set(`${envId}.${field.dotted}`, name);
    }
  }
  const prefixes = environmentIds.map((envId) => `HARNESS_${envId.toUpperCase()}_`);
  const unknownVariables = Object.keys(env)
    .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)) && !knownVariables.has(name))
    .sort();
  for (const name of unknownVariables) {
    issues.push({ path: name, message: `unknown variable; ${suggest(name, [...knownVariables])}` });
  }

  const resolved: Partial<Record<EnvironmentId, Environment>> = {};
  const reported = new Set(issues.map((issue) => issue.path));
  for (const envId of environmentIds) {
    const candidate: Json = structuredClone(environmentDefaults[envId]);
    const envOverrides = overrides[envId];
    if (isRecord(envOverrides)) mergeInto(candidate, envOverrides);
    const parsed = EnvironmentSchema.safeParse(candidate, { error: configErrorMap });
    if (parsed.success) {
      resolved[envId] = parsed.data;
      continue;
    }
    for (const issue of parsed.error.issues) {
      const key = `${envId}.${dotted(issue.path)}`;
      const path = setBy.get(key) ?? `environments.${key} (default in runbooks/environments.ts)`;
      if (!reported.has(path)) {
        issues.push({ path, message: issue.message });
        reported.add(path);
      }
    }
  }

  const { dev, sit, prod } = resolved;
  if (issues.length > 0 || dev === undefined || sit === undefined || prod === undefined) {
    throw configError(issues, configFile);
  }
  return { environments: { dev, sit, prod }, services: { ...services }, runbooks, sources };
}

function configError(issues: ConfigIssue[], configFile: string | undefined): ConfigError {
  const fromVariables = issues.some((issue) => issue.path.startsWith("HARNESS_"));
  const fromFile = configFile !== undefined && issues.some((issue) => !issue.path.startsWith("HARNESS_"));
  if (fromFile && fromVariables) {
    return new ConfigError(
      `Invalid harness configuration in ${configFile} and environment variables`,
      issues,
      `Fix ${configFile} and the variables above, then run again; ${CONFIG_VARS_HINT}.`,
    );
  }
  if (fromFile) {
    return new ConfigError(
      `Invalid harness configuration in ${configFile}`,
      issues,
      `Fix ${configFile} and run again; ${CONFIG_VARS_HINT}.`,
    );
  }
  if (fromVariables) {
    return new ConfigError(
      "Invalid harness configuration in environment variables",
      issues,
      `Fix or unset the variables above and run again; ${CONFIG_VARS_HINT}.`,
    );
  }
  return new ConfigError(
    "Invalid harness defaults in runbooks/environments.ts",
    issues,
    "This is a bug in the repository's runbook data; run `npm test -- tests/unit/runbook` to see it.",
  );
}
