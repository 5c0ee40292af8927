import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { STSClient } from "@aws-sdk/client-sts";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { sdk } from "./sdk.ts";

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
