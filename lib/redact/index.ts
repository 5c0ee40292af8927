export {
  createLineRedactor,
  REDACTED,
  Redactor,
  redact,
  redactor,
  registerEnvironmentSecrets,
  registerSecret,
  secretsInCredentialsFile,
} from "./redactor.ts";
export { findSecretsInTree, type SecretFinding } from "./scan.ts";
