import { createRequire } from "node:module";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { STSClient } from "@aws-sdk/client-sts";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Each SDK package is loaded when its first client is made, not when this module is: every Playwright
 * worker and the runner import the fixtures, and a smoke worker needs three of the eight packages
 * (loading all of them cost about 0.2 s of CPU per process). The packages ship CommonJS builds, so
 * require() gives the same module instances a static import elsewhere gets.
 */
const load = createRequire(import.meta.url);
const sdk = {
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

/** Where an environment's AWS calls go: its region, and its named profile if one is configured. */
export type AwsTarget = { region: string; profile?: string | undefined };

/** The target of an environment: region from the runbook, profile from `awsProfile` (else the default chain). */
export function awsTargetFor(environment: { region: string; awsProfile?: string | undefined }): AwsTarget {
  return { region: environment.region, profile: environment.awsProfile };
}

/**
 * The SDK clients of one environment, created on first use. Credentials and endpoints come from the
 * standard chain only: the named profile (shared config/credentials files) or the default chain, and
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> / a profile's endpoint_url. There is no sandbox switch.
 */
export class AwsClients {
  readonly target: AwsTarget;
  #lambda?: LambdaClient;
  #cloudwatch?: CloudWatchClient;
  #logs?: CloudWatchLogsClient;
  #dynamodb?: DynamoDBClient;
  #dynamodbDoc?: DynamoDBDocumentClient;
  #cognito?: CognitoIdentityProviderClient;
  #ssm?: SSMClient;
  #sts?: STSClient;

  constructor(target: AwsTarget) {
    this.target = target;
  }

  #config(): { region: string; profile?: string } {
    return this.target.profile
      ? { region: this.target.region, profile: this.target.profile }
      : { region: this.target.region };
  }

  get lambda(): LambdaClient {
    this.#lambda ??= new (sdk.lambda().LambdaClient)(this.#config());
    return this.#lambda;
  }
  get cloudwatch(): CloudWatchClient {
    this.#cloudwatch ??= new (sdk.cloudwatch().CloudWatchClient)(this.#config());
    return this.#cloudwatch;
  }
  get logs(): CloudWatchLogsClient {
    this.#logs ??= new (sdk.logs().CloudWatchLogsClient)(this.#config());
    return this.#logs;
  }
  get dynamodb(): DynamoDBClient {
    this.#dynamodb ??= new (sdk.dynamodb().DynamoDBClient)(this.#config());
    return this.#dynamodb;
  }
  /** DynamoDB with native JS values in and out. */
  get dynamodbDoc(): DynamoDBDocumentClient {
    this.#dynamodbDoc ??= sdk.dynamodbDoc().DynamoDBDocumentClient.from(this.dynamodb);
    return this.#dynamodbDoc;
  }
  get cognito(): CognitoIdentityProviderClient {
    this.#cognito ??= new (sdk.cognito().CognitoIdentityProviderClient)(this.#config());
    return this.#cognito;
  }
  get ssm(): SSMClient {
    this.#ssm ??= new (sdk.ssm().SSMClient)(this.#config());
    return this.#ssm;
  }
  get sts(): STSClient {
    this.#sts ??= new (sdk.sts().STSClient)(this.#config());
    return this.#sts;
  }

  /** Closes every client that was created (their sockets would otherwise keep a worker alive). */
  destroy(): void {
    for (const client of [
      this.#lambda,
      this.#cloudwatch,
      this.#logs,
      this.#dynamodbDoc,
      this.#dynamodb,
      this.#cognito,
      this.#ssm,
      this.#sts,
    ]) {
      client?.destroy();
    }
  }
}
