export { type OverrideVariable, overrideTableMarkdown, overrideVariables } from "./describe.ts";
export { ConfigError, type ConfigIssue } from "./errors.ts";
export { envVarName, type OverrideField, overrideFields } from "./fields.ts";
export { type HarnessConfig, type LoadOptions, loadHarnessConfig } from "./load.ts";
export * from "./names.ts";
export {
  adhocRunId,
  canaryRecordFile,
  deployedAtSetting,
  expectedVersionSetting,
  type GateSettings,
  gateSettings,
  processVariables,
  type RunContext,
  recoveryHandoverFile,
  runContext,
} from "./run-settings.ts";
export { requireUsable, requireUsableAll, type UsablePath } from "./usable.ts";
