/** The list of override variables and file paths, generated from the schema (README and `config-vars`). */
import { environmentIds } from "../../runbooks/schema.ts";
import { envVarName, type OverrideField, overrideFields } from "./fields.ts";

export interface OverrideVariable {
  variable: string;
  path: string;
  type: string;
  description: string;
}

function typeLabel(field: OverrideField): string {
  return [field.type, field.nullable ? "or null" : "", field.optional ? "(optional)" : ""]
    .filter(Boolean)
    .join(" ");
}

/** Every HARNESS_<ENV>_<PATH> variable with the config path it sets, for each environment. */
export function overrideVariables(): OverrideVariable[] {
  return environmentIds.flatMap((envId) =>
    overrideFields.map((field) => ({
      variable: envVarName(envId, field),
      path: `environments.${envId}.${field.dotted}`,
      type: typeLabel(field),
      description: field.description,
    })),
  );
}

/** The README table: one row per field, with <ENV> standing for DEV, SIT or PROD. */
export function overrideTableMarkdown(): string {
  const rows = overrideFields.map((field) => {
    const variable = envVarName("dev", field).replace(/^HARNESS_DEV_/, "HARNESS_<ENV>_");
    return `| \`${variable}\` | \`environments.<env>.${field.dotted}\` | ${typeLabel(field)} | ${field.description} |`;
  });
  return ["| variable | file path | type | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
