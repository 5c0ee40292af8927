/** The Tenant & Instance Management API contract: schemas, the operations table, OpenAPI, checks. */
export * from "./check.ts";
export * from "./coverage.ts";
export * from "./coverage-file.ts";
export * from "./errors.ts";
export * from "./openapi.ts";
export * from "./openapi-lint.ts";
export * from "./operations.ts";
export * from "./paths.ts";
export * from "./requests.ts";
export * from "./resources.ts";
