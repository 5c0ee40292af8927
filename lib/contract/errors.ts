/** A path template was filled with a missing or unusable parameter. */
export class PathParameterError extends Error {
  readonly operationId: string;
  readonly parameter: string;

  constructor(operationId: string, parameter: string, path: string, options?: ErrorOptions) {
    super(
      `Cannot build the path of ${operationId} (${path}): parameter "${parameter}" is missing or empty. ` +
        "Pass every {placeholder} of the path template as a non-empty string.",
      options,
    );
    this.name = "PathParameterError";
    this.operationId = operationId;
    this.parameter = parameter;
  }
}

/** A response broke the contract: wrong status, or a body that does not match the operation's schema. */
export class ContractViolationError extends Error {
  readonly operationId: string;
  readonly endpoint: string;
  readonly problems: readonly string[];

  constructor(operationId: string, endpoint: string, problems: readonly string[], options?: ErrorOptions) {
    super(
      `${endpoint} (${operationId}) broke the Tenant API contract:\n` +
        problems.map((problem) => `  ${problem}`).join("\n") +
        "\nCompare the deployment with docs/tenant-api-contract.md; the deployed build drifts from it.",
      options,
    );
    this.name = "ContractViolationError";
    this.operationId = operationId;
    this.endpoint = endpoint;
    this.problems = problems;
  }
}

/** The generated OpenAPI document failed its own structural lint. */
export class OpenApiLintError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(
      `The OpenAPI document is not valid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((problem) => `  ${problem}`).join("\n") +
        "\nFix the operations table in lib/contract/operations.ts or the document file, then lint again.",
      options,
    );
    this.name = "OpenApiLintError";
    this.problems = problems;
  }
}

/** An operation references a schema that has no component name, so the document could not point at it. */
export class UnnamedSchemaError extends Error {
  readonly operationId: string;

  constructor(operationId: string, options?: ErrorOptions) {
    super(
      `Operation ${operationId} uses a request or response schema with no OpenAPI component name. ` +
        "Add the schema to namedSchemas in lib/contract/openapi.ts.",
      options,
    );
    this.name = "UnnamedSchemaError";
    this.operationId = operationId;
  }
}
