export {
  ApiClient,
  type ApiClientOptions,
  type ApiRequest,
  type ApiResponse,
  type AuthMode,
  createHttpAgent,
  type HttpMethod,
  httpMethods,
  isMutating,
  type QueryValue,
} from "./client.ts";
export { ApiUrlMissingError, HttpTimeoutError, HttpUnreachableError, ReadOnlyPolicyError } from "./errors.ts";
export { parseRequestLog, RequestLog, type RequestLogEntry, RequestLogEntrySchema } from "./request-log.ts";
export { undici } from "./undici.ts";
