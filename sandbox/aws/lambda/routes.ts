/**
 * Lambda's REST-JSON routes, exactly as @aws-sdk/client-lambda and the AWS CLI address them
 * (`/2015-03-31/functions/{FunctionName}/...`, `/2017-10-31/.../concurrency`, ...). Known operations the
 * sandbox does not implement are answered with an UnknownOperationException naming them.
 */
import type { IncomingHttpHeaders } from "node:http";
import { AwsServiceError } from "../errors.ts";
import type { CallContext } from "../regional.ts";
import { parseJsonBody } from "../validation.ts";
import type { InvocationType, LambdaBackend } from "./service.ts";

export type LambdaReply =
  | { kind: "json"; status: number; body: unknown }
  | { kind: "empty"; status: number }
  | { kind: "raw"; status: number; headers: Record<string, string>; body: Buffer };

export interface LambdaRequest {
  method: string;
  segments: string[];
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Operations of the Lambda API the sandbox recognises but does not implement: [method, path pattern, name]. */
const unimplemented: ReadonlyArray<[string, RegExp, string]> = [
  ["POST", /^\/2015-03-31\/functions\/[^/]+\/policy$/, "AddPermission"],
  ["GET", /^\/2015-03-31\/functions\/[^/]+\/policy$/, "GetPolicy"],
  ["DELETE", /^\/2015-03-31\/functions\/[^/]+\/policy\/[^/]+$/, "RemovePermission"],
  ["POST", /^\/2014-11-13\/functions\/[^/]+\/invoke-async$/, "InvokeAsync"],
  ["POST", /^\/2021-11-15\/functions\/[^/]+\/response-streaming-invocations$/, "InvokeWithResponseStream"],
  ["GET", /^\/2016-08-19\/account-settings$/, "GetAccountSettings"],
  ["GET", /^\/2017-03-31\/tags\/[^/]+$/, "ListTags"],
  ["POST", /^\/2017-03-31\/tags\/[^/]+$/, "TagResource"],
  ["DELETE", /^\/2017-03-31\/tags\/[^/]+$/, "UntagResource"],
  ["POST", /^\/2015-03-31\/event-source-mappings$/, "CreateEventSourceMapping"],
  ["GET", /^\/2015-03-31\/event-source-mappings$/, "ListEventSourceMappings"],
  ["POST", /^\/2021-10-31\/functions\/[^/]+\/url$/, "CreateFunctionUrlConfig"],
  ["GET", /^\/2021-10-31\/functions\/[^/]+\/url$/, "GetFunctionUrlConfig"],
  ["PUT", /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, "PutFunctionEventInvokeConfig"],
  ["GET", /^\/2019-09-25\/functions\/[^/]+\/event-invoke-config$/, "GetFunctionEventInvokeConfig"],
  ["PUT", /^\/2019-09-30\/functions\/[^/]+\/provisioned-concurrency$/, "PutProvisionedConcurrencyConfig"],
  ["GET", /^\/2019-09-30\/functions\/[^/]+\/provisioned-concurrency$/, "GetProvisionedConcurrencyConfig"],
  ["GET", /^\/2018-10-31\/layers$/, "ListLayers"],
  ["POST", /^\/2018-10-31\/layers\/[^/]+\/versions$/, "PublishLayerVersion"],
  ["PUT", /^\/2020-06-30\/functions\/[^/]+\/code-signing-config$/, "PutFunctionCodeSigningConfig"],
  ["PUT", /^\/2021-09-30\/functions\/[^/]+\/recursion-config$/, "PutFunctionRecursionConfig"],
];

function unknownOperation(name: string): AwsServiceError {
  return new AwsServiceError(
    "UnknownOperationException",
    `The sandbox's Lambda does not implement the operation ${name}. Supported: CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, ListFunctions, PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias, Invoke, Put/Get/DeleteFunctionConcurrency.`,
  );
}

function single(query: Record<string, string | string[]>, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

function maxItems(query: Record<string, string | string[]>): number | undefined {
  const raw = single(query, "MaxItems");
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new AwsServiceError("InvalidParameterValueException", `MaxItems must be an integer, got '${raw}'.`);
  }
  return value;
}

function jsonBody(body: Buffer): unknown {
  const parsed = parseJsonBody(body);
  if (parsed === undefined || parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsServiceError(
      "InvalidRequestContentException",
      "Could not parse request body into json: the body must be a JSON object.",
    );
  }
  return parsed;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodeClientContext(value: string | undefined): unknown {
  if (value === undefined || value === "") return undefined;
  try {
    return JSON.parse(Buffer.from(value, "base64").toString("utf8"));
  } catch {
    throw new AwsServiceError(
      "InvalidRequestContentException",
      "Client context must be a valid Base64-encoded JSON object.",
    );
  }
}

/** The operation name a request addresses (for logs and errors), or undefined if it is not Lambda's. */
export function lambdaOperationName(method: string, path: string): string | undefined {
  for (const [m, pattern, name] of unimplemented) if (m === method && pattern.test(path)) return name;
  return undefined;
}

/** Routes one Lambda request to the service. */
export async function handleLambda(
  service: LambdaBackend,
  ctx: CallContext,
  request: LambdaRequest,
): Promise<LambdaReply> {
  const { method, segments, query } = request;
  const [version, collection, fn, sub, subId, ...rest] = segments;
  const path = `/${segments.join("/")}`;
  const qualifier = single(query, "Qualifier");
  const json = (status: number, body: unknown): LambdaReply => ({ kind: "json", status, body });

  if (version === "2015-03-31" && collection === "functions" && rest.length === 0) {
    if (fn === undefined) {
      if (method === "POST") return json(201, service.createFunction(ctx, jsonBody(request.body)));
      if (method === "GET") {
        return json(
          200,
          service.listFunctions(
            ctx,
            single(query, "Marker"),
            maxItems(query),
            single(query, "FunctionVersion") === "ALL",
          ),
        );
      }
    } else if (sub === undefined) {
      if (method === "GET") return json(200, service.getFunction(ctx, fn, qualifier));
      if (method === "DELETE") {
        service.deleteFunction(ctx, fn, qualifier);
        return { kind: "empty", status: 204 };
      }
    } else if (sub === "configuration" && subId === undefined) {
      if (method === "GET") return json(200, service.getFunctionConfiguration(ctx, fn, qualifier));
      if (method === "PUT")
        return json(200, service.updateFunctionConfiguration(ctx, fn, jsonBody(request.body)));
    } else if (sub === "code" && subId === undefined && method === "PUT") {
      return json(200, service.updateFunctionCode(ctx, fn, jsonBody(request.body)));
    } else if (sub === "versions" && subId === undefined) {
      if (method === "POST") return json(201, service.publishVersion(ctx, fn, jsonBody(request.body)));
      if (method === "GET") {
        return json(200, service.listVersionsByFunction(ctx, fn, single(query, "Marker"), maxItems(query)));
      }
    } else if (sub === "aliases") {
      if (subId === undefined) {
        if (method === "POST") return json(201, service.createAlias(ctx, fn, jsonBody(request.body)));
        if (method === "GET") {
          return json(
            200,
            service.listAliases(
              ctx,
              fn,
              single(query, "FunctionVersion"),
              single(query, "Marker"),
              maxItems(query),
            ),
          );
        }
      } else {
        if (method === "GET") return json(200, service.getAlias(ctx, fn, subId));
        if (method === "PUT") return json(200, service.updateAlias(ctx, fn, subId, jsonBody(request.body)));
        if (method === "DELETE") {
          service.deleteAlias(ctx, fn, subId);
          return { kind: "empty", status: 204 };
        }
      }
    } else if (sub === "invocations" && subId === undefined && method === "POST") {
      const invocationType = header(request.headers, "x-amz-invocation-type") ?? "RequestResponse";
      if (invocationType !== "RequestResponse" && invocationType !== "Event" && invocationType !== "DryRun") {
        throw new AwsServiceError(
          "InvalidParameterValueException",
          `Unsupported invocation type ${invocationType}: use RequestResponse, Event or DryRun.`,
        );
      }
      const logType = header(request.headers, "x-amz-log-type");
      const result = await service.invoke(ctx, fn, qualifier, request.body, {
        invocationType: invocationType satisfies InvocationType,
        logType: logType === "Tail" ? "Tail" : "None",
        clientContext: decodeClientContext(header(request.headers, "x-amz-client-context")),
      });
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-amz-executed-version": result.executedVersion,
        "x-amzn-requestid": result.requestId,
      };
      if (result.functionError) headers["x-amz-function-error"] = result.functionError;
      if (result.logResult !== undefined) headers["x-amz-log-result"] = result.logResult;
      return { kind: "raw", status: result.statusCode, headers, body: result.payload };
    }
  }

  if (collection === "functions" && fn !== undefined && sub === "concurrency" && subId === undefined) {
    if (version === "2017-10-31" && method === "PUT") {
      return json(200, service.putFunctionConcurrency(ctx, fn, jsonBody(request.body)));
    }
    if (version === "2017-10-31" && method === "DELETE") {
      service.deleteFunctionConcurrency(ctx, fn);
      return { kind: "empty", status: 204 };
    }
    if (version === "2019-09-30" && method === "GET")
      return json(200, service.getFunctionConcurrency(ctx, fn));
  }

  throw unknownOperation(lambdaOperationName(method, path) ?? `${method} ${path}`);
}
