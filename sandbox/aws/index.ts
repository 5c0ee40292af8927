/**
 * The sandbox's AWS services on the real wire protocols, behind one HTTP server on 127.0.0.1.
 *
 * ```ts
 * import { startAwsServer } from "./aws/index.ts";
 * const aws = await startAwsServer({
 *   accounts: [{ name: "dev", accountId: "536580886816", accessKeyId: "AKIA...", secretAccessKey: "..." }],
 *   dynamodbBackend: (accountId, region) => dynamo.backend(accountId, region), // base URL of a dynalite
 *   cognitoBackend: "http://127.0.0.1:9229",                                  // cognito-local, optional
 *   controlHandler: async (req, res) => { ... },                             // requests under /_sandbox/
 * });
 * aws.url; // http://127.0.0.1:PORT: point every SDK client / AWS_ENDPOINT_URL here
 * ```
 *
 * Served (dispatched as AWS endpoints do, account = access key id of the SigV4 credential scope,
 * region = the scope's region, state kept per (account, region), signatures verified):
 * - Lambda (REST-JSON): Create/Get/Delete/ListFunctions, GetFunctionConfiguration,
 *   UpdateFunctionCode/Configuration, PublishVersion, ListVersionsByFunction, Create/Get/Update/List/
 *   DeleteAlias (weighted RoutingConfig), Invoke (RequestResponse, Event, DryRun, LogType Tail),
 *   Put/Get/DeleteFunctionConcurrency. GetFunction's Code.Location is a 10-minute URL on this server
 *   serving the exact package bytes.
 * - CloudWatch (JSON 1.0, also Smithy RPC v2 CBOR as botocore sends it, and the Query form):
 *   PutMetricData, GetMetricStatistics, GetMetricData (MetricStat + arithmetic expressions),
 *   ListMetrics, PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState, DescribeAlarmHistory.
 *   On the wire, namespaces starting with "AWS/" are refused as on AWS; the in-process API accepts them.
 * - CloudWatch Logs (JSON 1.1): Create/DeleteLogGroup, CreateLogStream, PutLogEvents,
 *   DescribeLogGroups, DescribeLogStreams, FilterLogEvents, GetLogEvents.
 * - SSM (JSON 1.1): PutParameter, GetParameter, GetParameters, GetParametersByPath, DeleteParameter.
 * - STS (Query/XML): GetCallerIdentity (Arn `arn:aws:iam::{account}:user/bbws-sandbox-{name}`).
 * - DynamoDB (`DynamoDB_20120810.*`) is proxied to `dynamodbBackend(account, region)`; Cognito
 *   (`AWSCognitoIdentityProviderService.*`, unsigned ones such as InitiateAuth pass through) and
 *   `GET /{poolId}/.well-known/{jwks.json,openid-configuration}` to `cognitoBackend`. Cognito has one
 *   backend for all accounts (pool ids are unique anyway).
 *
 * Lambda runtime: a package is a zip with `index.mjs` (`export const handler`) and usually
 * `manifest.json`. Each CodeSha256 is unpacked once into `<codeDir>/<sha-hex>/` (default
 * `<repo>/.sandbox/code`, inside the repository so bare imports resolve from its node_modules). Each
 * (function, version) runs in its own worker thread with that version's Environment.Variables plus
 * what Lambda sets (AWS_REGION, AWS_LAMBDA_FUNCTION_*, the owning account's AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL = this server). Workers start on first invoke (REPORT shows
 * Init Duration), serve concurrent invocations, are replaced after a timeout or crash and stop after
 * `workerIdleMs`. Every invocation records AWS/Lambda Invocations, Errors, Duration and Throttles (0
 * or 1) with dimensions {FunctionName}, {FunctionName, Resource="name:qualifier"} when qualified, and
 * for alias invocations also {FunctionName, ExecutedVersion} and {FunctionName, Resource,
 * ExecutedVersion}; a throttled invoke records only Throttles = 1. Logs go to `/aws/lambda/{name}`,
 * stream `YYYY/MM/DD/[{version}]{hex}` per worker: START, handler lines, `ERROR Invoke Error` with
 * errorType, END, REPORT.
 *
 * Alarms: evaluated every `alarmEvaluationIntervalMs` (default 1000, 0 = only after new data and on
 * PutMetricAlarm), over sliding windows ending now. SetAlarmState lasts until
 * the next evaluation that computes a different state, as on AWS; to keep a forced state (fault
 * injection), call `cloudwatch.setAlarmState(account, region, { ..., holdMs })`. With
 * TreatMissingData "missing" (the default) an alarm without recent data goes INSUFFICIENT_DATA, as on
 * AWS; alarms meant to stay OK on an idle function use "notBreaching".
 *
 * In-process only (what AWS lets only time do, for seeding and fault injection): PutMetricData into
 * "AWS/" namespaces, `cloudwatch.deleteMetricData` (a function's history gone), held alarm states,
 * `logs.putLogEvents` with any past timestamp, `lambda.setLastModified` (a backdated version).
 *
 * The rest of sandbox/aws runs beside this server: the DynamoDB (dynalite) and Cognito (cognito-local)
 * backends it proxies to, in dynamodb/ and cognito/, and the API Gateway fronts (api-gateway/), one
 * HTTP server per environment that invokes through `lambda.invoke`.
 *
 * Wire details: request bodies are capped (7 MB; 6 MB for Invoke payloads, 413 RequestTooLargeException;
 * 70 MB for Lambda code uploads); gzip-encoded bodies (the SDKs compress large PutMetricData) are
 * accepted; errors are answered in each protocol's shape (`__type` + `x-amzn-query-error` for
 * CloudWatch, `x-amzn-ErrorType` + `{"Type","message"}` for Lambda, `<ErrorResponse>` for Query);
 * operations not served answer 400 UnknownOperationException / InvalidAction naming them; an internal
 * bug answers 500 InternalFailure (Lambda: ServiceException) and is passed to `log`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Authenticator, type SandboxAccount, SandboxAccountSchema } from "./auth.ts";
import type { PutMetricAlarmInput, PutMetricDataInput, SetAlarmStateInput } from "./cloudwatch/schemas.ts";
import { CloudWatchBackend } from "./cloudwatch/service.ts";
import { AwsSandboxStartError } from "./errors.ts";
import { CodeStore } from "./lambda/code-store.ts";
import { LambdaRuntime } from "./lambda/runtime.ts";
import { type InvokeOptions, type InvokeResult, LambdaBackend } from "./lambda/service.ts";
import { LogsBackend } from "./logs/service.ts";
import { isAwsRegion } from "./regions.ts";
import { createRequestHandler } from "./server.ts";
import { type PutParameterInput, SsmBackend } from "./ssm/service.ts";

export type { SandboxAccount } from "./auth.ts";
export type {
  AlarmState,
  PutMetricAlarmInput,
  PutMetricDataInput,
  SetAlarmStateInput,
} from "./cloudwatch/schemas.ts";
export { AwsSandboxStartError, AwsServiceError, LambdaCodeStoreError } from "./errors.ts";
export type { InvocationType, InvokeOptions, InvokeResult } from "./lambda/service.ts";
export type { PutParameterInput } from "./ssm/service.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface AwsServerOptions {
  /** The accounts and their keys; an access key id not listed here is refused (403). */
  accounts: SandboxAccount[];
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Base URL of the DynamoDB (dynalite) holding this account's tables in this region. */
  dynamodbBackend: (accountId: string, region: string) => Promise<string>;
  /** Base URL of cognito-local, if Cognito is served. */
  cognitoBackend?: string;
  /** Handles every request under /_sandbox/ (no AWS authentication applies there). */
  controlHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Where packages are unpacked (default `<repo>/.sandbox/code`). */
  codeDir?: string;
  /** Idle time after which a function's worker stops (default 60 000 ms). */
  workerIdleMs?: number;
  /** Alarm evaluation period (default 1000 ms; 0 = only after new data and on PutMetricAlarm). */
  alarmEvaluationIntervalMs?: number;
  /** Receives one line per internal error, worker crash and alarm transition. */
  log?: (line: string) => void;
}

/** In-process Lambda: the API Gateway front invokes through this so metrics and logs match an SDK Invoke. */
export interface LambdaService {
  /**
   * Invokes `functionName` (name or ARN, optionally `name:qualifier`) at `qualifier` (version, alias,
   * $LATEST or undefined). Resolves for handler errors too (`functionError: "Unhandled"`); rejects
   * with AwsServiceError for what Lambda answers as an API error (ResourceNotFoundException 404,
   * TooManyRequestsException 429, RequestTooLargeException 413, InvalidRequestContentException 400).
   */
  invoke(
    accountId: string,
    region: string,
    functionName: string,
    qualifier: string | undefined,
    payload: Buffer | Uint8Array | string,
    options?: InvokeOptions,
  ): Promise<InvokeResult>;
  /** Execution environments (worker threads) currently alive. */
  readonly runningEnvironments: number;
  /**
   * Backdates the LastModified of `$LATEST` or a published version (Lambda has no such API); throws
   * AwsServiceError ResourceNotFoundException for an unknown function or version.
   */
  setLastModified(
    accountId: string,
    region: string,
    functionName: string,
    version: string,
    lastModified: Date,
  ): void;
}

/** In-process CloudWatch for seeding and fault injection. Inputs are the SDK's shapes (Dates for timestamps). */
export interface CloudWatchService {
  /**
   * Records metric data, "AWS/" namespaces included (24 h of history: Timestamp up to 2 weeks back).
   * Typed input: only AWS's semantic rules are checked, and there is no 1000-item limit per call.
   */
  putMetricData(accountId: string, region: string, input: PutMetricDataInput): void;
  putMetricAlarm(accountId: string, region: string, input: PutMetricAlarmInput): void;
  /** Forces a state; `holdMs` keeps it against evaluation for that long (Infinity = until changed). */
  setAlarmState(accountId: string, region: string, input: SetAlarmStateInput & { holdMs?: number }): void;
  /**
   * Removes the data of every series in `Namespace` that has `Dimension` (e.g. one function's
   * FunctionName, whatever else the set holds), from `Since` on (all without it); returns how many
   * datapoints (storage buckets) went. CloudWatch has no such API: data only ages out.
   */
  deleteMetricData(
    accountId: string,
    region: string,
    input: { Namespace: string; Dimension: { Name: string; Value: string }; Since?: Date | undefined },
  ): number;
}

export interface LogsService {
  /** Appends events, creating the log group and stream if missing. */
  putLogEvents(
    accountId: string,
    region: string,
    input: {
      logGroupName: string;
      logStreamName: string;
      logEvents: Array<{ timestamp: number; message: string }>;
    },
  ): void;
}

export interface SsmService {
  /** PutParameter with AWS semantics (Overwrite, ParameterAlreadyExists, Version increments). */
  putParameter(accountId: string, region: string, input: PutParameterInput): { Version: number };
  /** The current value, or undefined if the parameter does not exist. */
  getParameterValue(accountId: string, region: string, name: string): string | undefined;
}

export interface AwsSandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  lambda: LambdaService;
  cloudwatch: CloudWatchService;
  logs: LogsService;
  ssm: SsmService;
  /** Stops the workers, the alarm timer and the server. */
  close(): Promise<void>;
}

const OptionsSchema = z.object({
  accounts: z
    .array(SandboxAccountSchema)
    .min(1)
    .refine((accounts) => new Set(accounts.map((account) => account.accessKeyId)).size === accounts.length, {
      message: "access key ids must be unique",
    }),
  port: z.number().int().min(0).max(65535).optional(),
  codeDir: z.string().min(1).optional(),
  workerIdleMs: z.number().int().positive().optional(),
  alarmEvaluationIntervalMs: z.number().int().min(0).optional(),
  cognitoBackend: z.url().optional(),
});

/** Starts the AWS server on 127.0.0.1 and resolves once it listens. */
export async function startAwsServer(options: AwsServerOptions): Promise<AwsSandbox> {
  const checked = OptionsSchema.safeParse(options);
  if (!checked.success) {
    const lines = checked.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw new AwsSandboxStartError(`The AWS server options are invalid:\n${lines.join("\n")}`);
  }
  const log = options.log ?? (() => {});
  const now = Date.now;
  const accounts = checked.data.accounts;
  const authenticator = new Authenticator(accounts, isAwsRegion, now);
  const codeStore = new CodeStore(checked.data.codeDir ?? `${repoRoot}.sandbox/code`);
  const logs = new LogsBackend(now);
  const cloudwatch = new CloudWatchBackend({
    evaluationIntervalMs: checked.data.alarmEvaluationIntervalMs ?? 1000,
    now,
    log,
  });
  const ssm = new SsmBackend(now);
  const runtime = new LambdaRuntime({
    sink: (target, stream, timestamp, message) =>
      logs.append(target.accountId, target.region, target.logGroupName, stream, [{ timestamp, message }]),
    idleMs: checked.data.workerIdleMs ?? 60_000,
    log,
  });
  const credentialsByAccount = new Map<string, SandboxAccount>();
  for (const account of accounts) {
    if (!credentialsByAccount.has(account.accountId)) credentialsByAccount.set(account.accountId, account);
  }
  let baseUrl = "";
  // The request handler signs package download URLs; the Lambda backend asks it for them.
  let codeLocation: ReturnType<typeof createRequestHandler>["codeLocation"] = () => "";
  const lambda = new LambdaBackend({
    codeStore,
    runtime,
    recordMetrics: (accountId, region, data) =>
      cloudwatch.recordInternal(accountId, region, "AWS/Lambda", data),
    credentialsOf: (accountId) => credentialsByAccount.get(accountId),
    serverUrl: () => baseUrl,
    codeLocation: (pkg) => codeLocation(baseUrl, pkg),
    now,
  });
  const handler = createRequestHandler({
    authenticator,
    lambda,
    cloudwatch,
    logs,
    ssm,
    codeStore,
    dynamodbBackend: options.dynamodbBackend,
    cognitoBackend: checked.data.cognitoBackend?.replace(/\/$/, ""),
    controlHandler: options.controlHandler,
    log,
    now,
  });
  codeLocation = handler.codeLocation;

  const server = createServer({ keepAliveTimeout: 5000 }, handler.listener);
  server.on("clientError", (error, socket) => {
    // Malformed HTTP (not a request we can answer in an AWS shape): a plain 400 and close.
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
    log(`aws: malformed HTTP from a client: ${error.message}`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new AwsSandboxStartError(
          `The AWS server could not listen on 127.0.0.1:${checked.data.port ?? 0} (${error.message}); choose another port or stop the process using it.`,
          { cause: error },
        ),
      ),
    );
    server.listen(checked.data.port ?? 0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(
          new AwsSandboxStartError(
            "The AWS server started without a TCP address; this is a bug in the sandbox.",
          ),
        );
        return;
      }
      resolve(address.port);
    });
  });
  baseUrl = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    lambda: {
      invoke: (accountId, region, functionName, qualifier, payload, invokeOptions) =>
        lambda.invoke(
          { accountId, region },
          functionName,
          qualifier,
          typeof payload === "string"
            ? Buffer.from(payload)
            : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
          invokeOptions,
        ),
      get runningEnvironments() {
        return runtime.size;
      },
      setLastModified: (accountId, region, functionName, version, lastModified) =>
        lambda.setLastModified({ accountId, region }, functionName, version, lastModified),
    },
    cloudwatch: {
      putMetricData: (accountId, region, input) => cloudwatch.putMetricDataTyped(accountId, region, input),
      putMetricAlarm: (accountId, region, input) => cloudwatch.putMetricAlarm(accountId, region, input),
      setAlarmState: (accountId, region, input) => {
        const { holdMs, ...request } = input;
        cloudwatch.setAlarmState(accountId, region, request, holdMs ?? 0);
      },
      deleteMetricData: (accountId, region, input) =>
        cloudwatch.deleteMetricData(
          accountId,
          region,
          input.Namespace,
          input.Dimension,
          input.Since?.getTime(),
        ),
    },
    logs: {
      putLogEvents: (accountId, region, input) =>
        logs.append(accountId, region, input.logGroupName, input.logStreamName, input.logEvents),
    },
    ssm: {
      putParameter: (accountId, region, input) => ssm.putParameter(accountId, region, input),
      getParameterValue: (accountId, region, name) => {
        try {
          return ssm.getParameter(accountId, region, { Name: name, WithDecryption: true }).Parameter.Value;
        } catch {
          return undefined;
        }
      },
    },
    close() {
      closing ??= (async () => {
        cloudwatch.close();
        await runtime.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
