/**
 * Preloaded (`node --import`) into a command under test that must not leave the machine: every TCP
 * connection or name lookup to anything but 127.0.0.1 / ::1 / localhost fails, and is reported on stderr
 * as `loopback-only: blocked ...` so the test can assert that none was attempted.
 */
import dns from "node:dns";
import net from "node:net";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
export const BLOCKED_MARK = "loopback-only: blocked";

function record(host: string): Error {
  process.stderr.write(`${BLOCKED_MARK} ${host}\n`);
  return new Error(`${BLOCKED_MARK} ${host}: this process may only reach 127.0.0.1`);
}

/** The host a Socket#connect call targets, or undefined for a Unix socket / pipe. */
function targetHost(args: unknown[]): string | undefined {
  // net.connect() passes its normalized [options, callback] pair as one array argument.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === "string") return undefined;
  if (typeof first === "number") return typeof args[1] === "string" ? args[1] : "localhost";
  if (typeof first === "object" && first !== null) {
    if (Reflect.get(first, "path") !== undefined) return undefined;
    const host: unknown = Reflect.get(first, "host");
    return typeof host === "string" ? host : "localhost";
  }
  return undefined;
}

const connect = net.Socket.prototype.connect;
Object.defineProperty(net.Socket.prototype, "connect", {
  configurable: true,
  writable: true,
  value: function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = targetHost(args);
    if (host !== undefined && !LOOPBACK.has(host)) throw record(host);
    return Reflect.apply(connect, this, args);
  },
});

const lookup = dns.lookup;
Object.defineProperty(dns, "lookup", {
  configurable: true,
  writable: true,
  value: function guardedLookup(hostname: unknown, ...rest: unknown[]) {
    if (typeof hostname === "string" && !LOOPBACK.has(hostname)) throw record(hostname);
    return Reflect.apply(lookup, dns, [hostname, ...rest]);
  },
});

const promisesLookup = dns.promises.lookup;
Object.defineProperty(dns.promises, "lookup", {
  configurable: true,
  writable: true,
  value: async function guardedPromisesLookup(hostname: unknown, ...rest: unknown[]) {
    if (typeof hostname === "string" && !LOOPBACK.has(hostname)) throw record(hostname);
    return Reflect.apply(promisesLookup, dns.promises, [hostname, ...rest]);
  },
});
