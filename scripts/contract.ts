/**
 * The Tenant API contract on the command line.
 *   npm run contract -- openapi [--out file] [--server-url url]   print or write the OpenAPI 3.1 document
 *   npm run contract -- lint [file]                               lint a document (default: the generated one)
 *   npm run contract -- operations                                list the 27 operations
 * Exit codes: 0 ok, 1 the document has problems, 2 usage error. `--help` prints the options.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatHelp, HELP_ENTRY, helpHint, parseArgsProblem, wantsHelp } from "../lib/cli/index.ts";
import {
  buildOpenApiDocument,
  endpointLabel,
  lintContractCoverage,
  lintOpenApi,
  operationIds,
  operations,
} from "../lib/contract/index.ts";

const USAGE = [
  "npm run contract -- openapi [--out <file>] [--server-url <url>]",
  "npm run contract -- lint [<file>]",
  "npm run contract -- operations",
];

const HELP = formatHelp({
  usage: USAGE,
  summary: "The Tenant API contract (docs/tenant-api-contract.md) on the command line.",
  sections: [
    {
      title: "Commands",
      entries: [
        ["openapi", "print the contract as an OpenAPI 3.1 document"],
        ["lint [<file>]", "lint an OpenAPI document (default: the generated one) against the contract"],
        ["operations", "list the operations: id, endpoint, success status, read-only or mutating, auth"],
      ],
    },
    {
      title: "Options",
      entries: [
        ["--out <file>", "openapi: write the document to this file instead of stdout"],
        ["--server-url <url>", "openapi: the document's server URL (default: none)"],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "done; lint: the document is valid"],
    [1, "lint: the document has problems"],
    [2, "usage error, or the document to lint cannot be read"],
  ],
});

function usage(message: string): never {
  console.error(
    [
      message,
      ...USAGE.map((line, i) => `${i === 0 ? "Usage: " : "       "}${line}`),
      helpHint("npm run contract --"),
    ].join("\n"),
  );
  process.exit(2);
}

function readDocument(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `Cannot read the OpenAPI document ${file}: ${reason}. Pass a JSON file written by "contract openapi".`,
    );
    process.exit(2);
  }
}

function main(argv: string[]): number {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage(`${parseArgsProblem(error)}.`);
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  switch (command) {
    case "openapi": {
      const serverUrl = values["server-url"];
      const document = buildOpenApiDocument(serverUrl === undefined ? {} : { serverUrl });
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (values.out === undefined) {
        process.stdout.write(text);
      } else {
        const file = resolve(values.out);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
        console.error(`Wrote the OpenAPI document (${operationIds.length} operations) to ${file}`);
      }
      return 0;
    }
    case "lint": {
      const file = rest[0];
      const document = file === undefined ? buildOpenApiDocument() : readDocument(file);
      const problems = [...lintOpenApi(document), ...lintContractCoverage(document)];
      if (problems.length > 0) {
        console.error(`${file ?? "The generated document"} has ${problems.length} problem(s):`);
        for (const problem of problems) console.error(`  ${problem}`);
        return 1;
      }
      console.log(
        `${file ?? "The generated document"} is valid OpenAPI 3.1 with all ${operationIds.length} operations.`,
      );
      return 0;
    }
    case "operations": {
      for (const id of operationIds) {
        const operation = operations[id];
        const flags = [
          operation.mutating ? "mutating" : "read-only",
          operation.auth === "none" ? "no auth" : "bearer",
        ];
        console.log(
          `${id.padEnd(18)} ${endpointLabel(id).padEnd(36)} ${operation.success.status}  ${flags.join(", ")}`,
        );
      }
      return 0;
    }
    case undefined:
      return usage("Missing command.");
    default:
      return usage(`Unknown command "${command}".`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: "string" }, "server-url": { type: "string" } },
  });
}

process.exitCode = main(process.argv.slice(2));
