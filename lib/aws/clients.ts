import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

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
    this.#lambda ??= new LambdaClient(this.#config());
    return this.#lambda;
  }
  get cloudwatch(): CloudWatchClient {
    this.#cloudwatch ??= new CloudWatchClient(this.#config());
    return this.#cloudwatch;
  }
  get logs(): CloudWatchLogsClient {
    this.#logs ??= new CloudWatchLogsClient(this.#config());
    return this.#logs;
  }
  get dynamodb(): DynamoDBClient {
    this.#dynamodb ??= new DynamoDBClient(this.#config());
    return this.#dynamodb;
  }
  /** DynamoDB with native JS values in and out. */
  get dynamodbDoc(): DynamoDBDocumentClient {
    this.#dynamodbDoc ??= DynamoDBDocumentClient.from(this.dynamodb);
    return this.#dynamodbDoc;
  }
  get cognito(): CognitoIdentityProviderClient {
    this.#cognito ??= new CognitoIdentityProviderClient(this.#config());
    return this.#cognito;
  }
  get ssm(): SSMClient {
    this.#ssm ??= new SSMClient(this.#config());
    return this.#ssm;
  }
  get sts(): STSClient {
    this.#sts ??= new STSClient(this.#config());
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
