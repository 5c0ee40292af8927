import { createRequire } from "node:module";

/**
 * The AWS SDK packages, each loaded on first use rather than when a module imports it; the harness's
 * code takes clients, commands and paginators from here and imports only types from the packages.
 * Playwright's runner imports every spec file (and through it the fixtures) only to list the tests, and
 * each worker needs a few of the eight packages; loading all of them cost about 0.25 s per process,
 * before any worker could start. The packages ship CommonJS builds, so require() gives the same module
 * instances a static import elsewhere (the sandbox, the tests) gets.
 */
const load = createRequire(import.meta.url);

export const sdk = {
  cloudwatch: () => load("@aws-sdk/client-cloudwatch") as typeof import("@aws-sdk/client-cloudwatch"),
  logs: () => load("@aws-sdk/client-cloudwatch-logs") as typeof import("@aws-sdk/client-cloudwatch-logs"),
  cognito: () =>
    load(
      "@aws-sdk/client-cognito-identity-provider",
    ) as typeof import("@aws-sdk/client-cognito-identity-provider"),
  dynamodb: () => load("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb"),
  dynamodbDoc: () => load("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb"),
  lambda: () => load("@aws-sdk/client-lambda") as typeof import("@aws-sdk/client-lambda"),
  ssm: () => load("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm"),
  sts: () => load("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts"),
};
