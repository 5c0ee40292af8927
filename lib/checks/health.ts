/** The runbook's direct health invoke (5.1, 6.4, 7.4): the proxy event sent to the alias, the answer judged. */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { z } from "zod";
import { sdk } from "../aws/index.ts";
import { HealthSchema } from "../contract/index.ts";
import { redactor } from "../redact/index.ts";
import { type Finding, failed, passed } from "./finding.ts";

/** Lambda errors that mean the function itself cannot be invoked (throttled to zero, broken, not ready). */
const refusals = new Set([
  "TooManyRequestsException",
  "ResourceConflictException",
  "ResourceNotReadyException",
  "ServiceException",
]);

/** What one health invoke of `functionName:qualifier` gave back, as plain data. */
export type HealthInvocation =
  | {
      /** Lambda refused the call before any code ran (after the SDK's own retries). */
      readonly kind: "refused";
      readonly invoked: string;
      readonly payload: unknown;
      readonly error: string;
      readonly message: string;
    }
  | {
      readonly kind: "answered";
      readonly invoked: string;
      readonly payload: unknown;
      readonly statusCode: number | undefined;
      readonly functionError: string | null;
      readonly executedVersion: string | null;
      /** The response payload as text (unredacted: the judge redacts what it shows). */
      readonly response: string;
    };

/** Invokes `functionName:qualifier` with the health payload; a refusal by Lambda is data, other errors throw. */
export async function invokeHealth(options: {
  lambda: LambdaClient;
  functionName: string;
  qualifier: string;
  payload: unknown;
}): Promise<HealthInvocation> {
  const invoked = `${options.functionName}:${options.qualifier}`;
  try {
    const out = await options.lambda.send(
      new (sdk.lambda().InvokeCommand)({
        FunctionName: options.functionName,
        Qualifier: options.qualifier,
        Payload: new TextEncoder().encode(JSON.stringify(options.payload)),
      }),
    );
    return {
      kind: "answered",
      invoked,
      payload: options.payload,
      statusCode: out.StatusCode,
      functionError: out.FunctionError ?? null,
      executedVersion: out.ExecutedVersion ?? null,
      response: out.Payload ? new TextDecoder().decode(out.Payload) : "",
    };
  } catch (error) {
    // The deployment cannot serve, which is a failed check, not a harness error: the judge says so.
    if (error instanceof Error && refusals.has(error.name)) {
      return {
        kind: "refused",
        invoked,
        payload: options.payload,
        error: error.name,
        message: error.message,
      };
    }
    throw error;
  }
}

const ProxyResultSchema = z.object({
  statusCode: z.number().int(),
  body: z.string().optional(),
  headers: z.record(z.string(), z.unknown()).optional(),
});

/** What any service's health body must hold; the tenant service is held to the contract's exact schema. */
const GenericHealthSchema = z.looseObject({ status: z.literal("healthy"), version: z.string().min(1) });

/** The health answer is a 200 proxy result with a healthy body that reports the version behind the alias. */
export function judgeHealthInvocation(
  invocation: HealthInvocation,
  options: {
    expectedAppVersion: string;
    /** Holds the body to docs/tenant-api-contract.md's Health schema (tenant service). */
    strictContract: boolean;
    /** The environment the body must name, where the contract has the field (tenant service). */
    expectedEnvironment?: string;
  },
): Finding {
  const target = invocation.invoked;
  if (invocation.kind === "refused") {
    return failed(
      `The health invoke of ${target} was refused by Lambda (${invocation.error}: ${redactor.redact(invocation.message)}). The function cannot serve requests; check its concurrency and state.`,
      { invoked: target, payload: invocation.payload, error: invocation.error },
    );
  }
  const text = invocation.response;
  const evidence = {
    invoked: target,
    payload: invocation.payload,
    statusCode: invocation.statusCode,
    functionError: invocation.functionError,
    executedVersion: invocation.executedVersion,
    response: redactor.redact(text.slice(0, 4000)),
  };
  if (invocation.functionError) {
    return failed(
      `The health invoke of ${target} failed inside the function (${invocation.functionError}): ${redactor.redact(text.slice(0, 300))}. Check the function's logs; the deployment should be rolled back.`,
      evidence,
    );
  }
  const result = ProxyResultSchema.safeParse(parseJson(text));
  if (!result.success) {
    return failed(
      `The health invoke of ${target} did not return an API Gateway proxy result (statusCode, body): ${z.prettifyError(result.error)}.`,
      evidence,
    );
  }
  if (result.data.statusCode !== 200) {
    return failed(
      `The health invoke of ${target} returned statusCode ${result.data.statusCode}, not 200.`,
      evidence,
    );
  }
  const schema = options.strictContract ? HealthSchema : GenericHealthSchema;
  const health = schema.safeParse(parseJson(result.data.body ?? ""));
  if (!health.success) {
    return failed(
      `The health body of ${target} does not match the Health schema: ${z.prettifyError(health.error)}.`,
      evidence,
    );
  }
  if (health.data.version !== options.expectedAppVersion) {
    return failed(
      `${target} reports version ${health.data.version}, but the version behind it was published as ${options.expectedAppVersion}: the running code is not the build that was released.`,
      evidence,
    );
  }
  const environment = "environment" in health.data ? health.data.environment : undefined;
  if (
    options.expectedEnvironment !== undefined &&
    environment !== undefined &&
    environment !== options.expectedEnvironment
  ) {
    return failed(
      `${target} says it runs in ${String(environment)}, but it was invoked in ${options.expectedEnvironment}: the alias serves another environment's build or configuration.`,
      evidence,
    );
  }

  return passed(`${target} answered 200 healthy with version ${health.data.version}.`, evidence);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
