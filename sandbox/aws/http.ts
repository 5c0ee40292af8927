/**
 * HTTP plumbing shared by the sandbox's servers that are not the AWS wire endpoint itself (the API
 * Gateway fronts, Cognito, DynamoDB, the control API): loopback-only listening, closing with every
 * connection, capped body reads and JSON replies.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** Listens on 127.0.0.1 (never another interface) and returns the server's base URL. */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolveListen, rejectListen) => {
    const onError = (error: Error) => rejectListen(error);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolveListen();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error(`The server did not report a TCP address after listening on 127.0.0.1:${port}.`);
  }
  return `http://127.0.0.1:${address.port}`;
}

/** Closes a server and every open (also keep-alive) connection, so the process can exit. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

/** A request body larger than the reader's cap. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads a request body up to `limitBytes`; beyond that it stops buffering and rejects with
 * BodyTooLargeError (the caller answers 413 and closes the connection).
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Sends a JSON response with the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
