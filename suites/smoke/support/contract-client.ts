import { test } from "../../../fixtures/index.ts";
import {
  buildPath,
  checkError,
  checkSuccess,
  type ErrorBody,
  endpointLabel,
  type OperationId,
  type OperationResponse,
  operations,
} from "../../../lib/contract/index.ts";
import type { ApiRequest, ApiResponse, AuthMode, QueryValue } from "../../../lib/http/index.ts";
import { ANNOTATION } from "../../../lib/verdict/index.ts";
import { SmokeCheckError } from "./errors.ts";

/** The part of the api fixture the smoke suite uses. */
export interface SmokeApi {
  request(request: ApiRequest): Promise<ApiResponse>;
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** A body sent verbatim (malformed JSON on purpose). */
  rawBody?: string;
  auth?: AuthMode;
}

function declaredItems(): string[] {
  try {
    return test
      .info()
      .annotations.filter((annotation) => annotation.type === ANNOTATION.runbookItem)
      .map((annotation) => annotation.description ?? "")
      .filter((item) => item !== "");
  } catch {
    // Outside a running test (a helper used from a script) there is no test info to read.
    return [];
  }
}

function statusOf(id: OperationId, expected: number): string {
  return `${endpointLabel(id)} -> ${expected}`;
}

/**
 * Calls the Tenant API by operation id and checks each answer against lib/contract: status, schema,
 * the x-request-id header and the environment's latency budget. Every call is a boxed test.step, so
 * a failure points at the spec line and the report shows `POST /tenants/{id}/park -> 200`.
 */
export class ContractClient {
  readonly #api: SmokeApi;
  readonly #latencyBudgetMs: number;

  constructor(api: SmokeApi, options: { latencyBudgetMs: number }) {
    this.#api = api;
    this.#latencyBudgetMs = options.latencyBudgetMs;
  }

  /** Sends one request for an operation without checking the answer. */
  async send(id: OperationId, options: CallOptions = {}): Promise<ApiResponse> {
    const operation = operations[id];
    const request: ApiRequest = {
      method: operation.method,
      path: buildPath(id, options.params),
      ...(options.query === undefined ? {} : { query: options.query }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    };
    return this.#api.request(request);
  }

  /**
   * Sends a request and judges its latency. A GET over budget is sent once more: a cold start is
   * slow once, a slow endpoint is slow every time. A mutating request cannot be repeated, so its
   * single measurement stands (the spec files' warm-up keeps cold starts away from it).
   */
  async #timed(
    id: OperationId,
    options: CallOptions,
  ): Promise<{ response: ApiResponse; problems: string[] }> {
    const first = await this.send(id, options);
    if (first.durationMs <= this.#latencyBudgetMs) return { response: first, problems: [] };
    const budget = `the latency budget of ${this.#latencyBudgetMs} ms`;
    if (operations[id].method !== "GET") {
      return { response: first, problems: [`took ${Math.round(first.durationMs)} ms, over ${budget}`] };
    }
    const second = await this.send(id, options);
    if (second.durationMs <= this.#latencyBudgetMs) {
      test.info().annotations.push({
        type: ANNOTATION.warning,
        description: `${endpointLabel(id)} took ${Math.round(first.durationMs)} ms once, then ${Math.round(second.durationMs)} ms: counted as a cold start`,
      });
      return { response: second, problems: [] };
    }
    return {
      response: second,
      problems: [
        `took ${Math.round(first.durationMs)} ms and, repeated, ${Math.round(second.durationMs)} ms: over ${budget}`,
      ],
    };
  }

  /** Calls an operation and expects its success status and schema; returns the typed body. */
  async ok<Id extends OperationId>(id: Id, options: CallOptions = {}): Promise<OperationResponse<Id>> {
    return test.step(
      statusOf(id, operations[id].success.status),
      async () => {
        const { response, problems: latency } = await this.#timed(id, options);
        const result = checkSuccess(id, response);
        const problems = [...(result.ok ? [] : result.problems), ...latency];
        if (!result.ok || problems.length > 0) {
          throw new SmokeCheckError(endpointLabel(id), id, declaredItems(), problems);
        }
        return result.value;
      },
      { box: true },
    );
  }

  /** Calls an operation and expects a contract error with this status; returns the error body. */
  async fails(id: OperationId, expectedStatus: number, options: CallOptions = {}): Promise<ErrorBody> {
    return test.step(
      statusOf(id, expectedStatus),
      async () => {
        const { response, problems: latency } = await this.#timed(id, options);
        const result = checkError(response, expectedStatus);
        const problems = [...(result.ok ? [] : result.problems), ...latency];
        if (!result.ok || problems.length > 0) {
          throw new SmokeCheckError(endpointLabel(id), id, declaredItems(), problems);
        }
        return result.value;
      },
      { box: true },
    );
  }

  /** A behaviour check beyond the schema (an update is visible on the next get, ...); names endpoint and items. */
  behaves(id: OperationId, holds: boolean, problem: string): void {
    if (!holds) throw new SmokeCheckError(endpointLabel(id), id, declaredItems(), [problem]);
  }
}
