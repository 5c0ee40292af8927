import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { callsIn, listTests, mapItemsToChecks, suiteMapMarkdown } from "../../lib/traceability/index.ts";
import { runbooks } from "../../runbooks/index.ts";

const root = join(import.meta.dirname, "../..");

test("callsIn finds the judges a test body calls and the readers that feed them", () => {
  const body = `const f = await deployedFunctions();
    const state = await readFunctionState(aws.lambda, name, alias);
    await settle([judgeAlias(state, expected), judgeBackupAlias(state, "backup-", prev)], "alias");`;
  assert.deepEqual(callsIn(body), {
    judges: ["judgeAlias", "judgeBackupAlias"],
    helpers: ["deployedFunctions", "readFunctionState", "settle"],
  });
});

test("suites/README.md maps every automated item to its test and judge (npm run runbook -- map)", async () => {
  const readme = readFileSync(join(root, "suites", "README.md"), "utf8");
  const match = /<!-- map:start -->\n([\s\S]*?)\n<!-- map:end -->/.exec(readme);
  assert.ok(match, "suites/README.md keeps the map markers");
  const report = await listTests({ cwd: root });
  const generated = suiteMapMarkdown(
    runbooks,
    mapItemsToChecks(report, (file) => readFileSync(join(root, file), "utf8")),
  );
  // Compared cell by cell: Biome pads the tables when it formats the Markdown.
  const cells = (text: string) =>
    text
      .split("\n")
      .filter((line) => line.trim() !== "" && !/^\|[\s|-]+\|$/.test(line))
      .map((line) => line.split(/\s\|\s|^\|\s|\s\|$/).map((cell) => cell.trim()));
  assert.deepEqual(
    cells(match[1] ?? ""),
    cells(generated),
    "suites/README.md is stale: paste `npm run runbook -- map` between the markers, then npm run format",
  );
});
