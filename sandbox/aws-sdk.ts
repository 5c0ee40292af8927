/**
 * The AWS SDK clients the sandbox itself uses (deploy, seeding, the Cognito setup), loaded with
 * require(): they are CommonJS, and importing them from ESM makes Node scan their large sources for
 * named exports (about 0.2 s of start-up).
 */
import { createRequire } from "node:module";

const requireCjs = createRequire(import.meta.url);

/** Each SDK client package, loaded on first use. */
export const awsSdk = {
  lambda: (): typeof import("@aws-sdk/client-lambda") => requireCjs("@aws-sdk/client-lambda"),
  cloudwatch: (): typeof import("@aws-sdk/client-cloudwatch") => requireCjs("@aws-sdk/client-cloudwatch"),
  dynamodb: (): typeof import("@aws-sdk/client-dynamodb") => requireCjs("@aws-sdk/client-dynamodb"),
  ssm: (): typeof import("@aws-sdk/client-ssm") => requireCjs("@aws-sdk/client-ssm"),
  cognito: (): typeof import("@aws-sdk/client-cognito-identity-provider") =>
    requireCjs("@aws-sdk/client-cognito-identity-provider"),
};
