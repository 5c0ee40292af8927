// The Lambda Node.js runtime inside one worker thread: loads the handler of one (function, version),
// then serves invocations sent by the parent. Plain JavaScript on purpose: workers start with an empty
// execArgv (no TypeScript loader), so a cold start costs only Node and the handler's own imports.
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";

const port = parentPort;
if (!port)
  throw new Error("runtime-worker.mjs must run as a worker thread started by the sandbox's Lambda runtime.");

const { taskRoot, handler: handlerSpec } = workerData;
const invocation = new AsyncLocalStorage();

/** Forwards a console call to the parent, tagged with the current invocation's request id (if any). */
function emit(level, args) {
  port.postMessage({
    type: "log",
    requestId: invocation.getStore() ?? null,
    level,
    message: format(...args),
    timestamp: Date.now(),
  });
}
console.log = (...args) => emit("INFO", args);
console.info = (...args) => emit("INFO", args);
console.warn = (...args) => emit("WARN", args);
console.error = (...args) => emit("ERROR", args);
console.debug = (...args) => emit("DEBUG", args);
console.trace = (...args) => emit("TRACE", args);

function describeError(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== "Error" ? error.name : (fallbackType ?? "Error"),
      errorMessage: error.message,
      trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
    };
  }
  return { errorType: fallbackType ?? typeof error, errorMessage: String(error), trace: [] };
}

function memoryUsedMb() {
  const usage = process.memoryUsage();
  return Math.ceil((usage.heapUsed + usage.external) / (1024 * 1024));
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf(".");
  if (dot <= 0 || dot === handlerSpec.length - 1) {
    throw Object.assign(
      new Error(`Bad handler ${handlerSpec}: expected <module>.<export>, e.g. index.handler`),
      {
        name: "Runtime.MalformedHandlerName",
      },
    );
  }
  const moduleName = handlerSpec.slice(0, dot);
  const exportName = handlerSpec.slice(dot + 1);
  const file = [".mjs", ".js", ".cjs"]
    .map((ext) => join(taskRoot, moduleName + ext))
    .find((path) => existsSync(path));
  if (!file) {
    throw Object.assign(
      new Error(`Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${taskRoot}`),
      {
        name: "Runtime.ImportModuleError",
      },
    );
  }
  let loaded;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    const described = describeError(error);
    const name = error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError";
    throw Object.assign(new Error(`${described.errorType}: ${described.errorMessage}`), {
      name,
      stack: error?.stack,
    });
  }
  const handler = loaded[exportName] ?? loaded.default?.[exportName];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${moduleName}.${exportName} is undefined or not exported`), {
      name: "Runtime.HandlerNotFound",
    });
  }
  return handler;
}

const started = performance.now();
let handler;
try {
  handler = await loadHandler();
  port.postMessage({ type: "ready", initMs: performance.now() - started, maxMemoryMb: memoryUsedMb() });
} catch (error) {
  port.postMessage({
    type: "init-error",
    initMs: performance.now() - started,
    error: describeError(error, "Runtime.ImportModuleError"),
  });
}

function callHandler(event, context) {
  if (handler.length < 3) return handler(event, context);
  // Callback-style handler (event, context, callback), still supported by the Node.js 20 runtime.
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === "function") returned.then(resolve, reject);
  });
}

port.on("message", (message) => {
  if (message?.type !== "invoke" || !handler) return;
  const { id, event, context: meta } = message;
  invocation.run(meta.awsRequestId, async () => {
    const context = {
      awsRequestId: meta.awsRequestId,
      functionName: meta.functionName,
      functionVersion: meta.functionVersion,
      invokedFunctionArn: meta.invokedFunctionArn,
      memoryLimitInMB: String(meta.memoryLimitInMB),
      logGroupName: meta.logGroupName,
      logStreamName: meta.logStreamName,
      clientContext: meta.clientContext,
      identity: undefined,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, meta.deadline - Date.now()),
    };
    try {
      const result = await callHandler(JSON.parse(event), context);
      let payload;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch (error) {
        port.postMessage({
          type: "result",
          id,
          ok: false,
          error: { ...describeError(error), errorType: "Runtime.MarshalError" },
          maxMemoryMb: memoryUsedMb(),
        });
        return;
      }
      port.postMessage({ type: "result", id, ok: true, payload, maxMemoryMb: memoryUsedMb() });
    } catch (error) {
      port.postMessage({
        type: "result",
        id,
        ok: false,
        error: describeError(error),
        maxMemoryMb: memoryUsedMb(),
      });
    }
  });
});
