import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArgs } from "node:util";
import { formatHelp, HELP_ENTRY, helpHint, parseArgsProblem, wantsHelp } from "../../lib/cli/index.ts";

describe("formatHelp", () => {
  test("prints usage, summary, aligned sections and the exit codes", () => {
    const text = formatHelp({
      usage: ["npm run x -- a", "npm run x -- b [--long <v>]"],
      summary: "Does x.",
      sections: [
        { title: "Options", entries: [["--long <v>", "a value (default 1)"], HELP_ENTRY] },
        { title: "Empty", entries: [] },
      ],
      exitCodes: [
        [0, "ok"],
        [2, "usage error"],
      ],
    });
    assert.equal(
      text,
      [
        "Usage: npm run x -- a",
        "       npm run x -- b [--long <v>]",
        "",
        "Does x.",
        "",
        "Options:",
        "  --long <v>  a value (default 1)",
        "  -h, --help  print this help and exit 0",
        "",
        "Exit codes:",
        "  0  ok",
        "  2  usage error",
      ].join("\n"),
    );
  });

  test("the hint names the command's --help", () => {
    assert.equal(
      helpHint("npm run sweep --"),
      "Run `npm run sweep -- --help` for the options and exit codes.",
    );
  });
});

describe("wantsHelp", () => {
  test("finds --help and -h anywhere before a -- terminator", () => {
    assert.equal(wantsHelp(["--env", "dev", "--help"]), true);
    assert.equal(wantsHelp(["-h"]), true);
    assert.equal(wantsHelp(["status", "--state-dir", "x"]), false);
    assert.equal(wantsHelp(["--grep", "x", "--", "--help"]), false);
  });
});

describe("parseArgsProblem", () => {
  test("keeps Node's message and drops its advice on positionals", () => {
    const error = (() => {
      try {
        parseArgs({ args: ["--bogus"], options: {}, allowPositionals: true, strict: true });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.equal(parseArgsProblem(error), "Unknown option '--bogus'");
    assert.equal(parseArgsProblem("plain"), "plain");
  });
});
