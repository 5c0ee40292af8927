/**
 * scripts/launch.mjs: a command runs from its bundle only while every source the bundle was built from is
 * unchanged; a changed source runs the sources under tsx (and rebuilds). Temporary commands under .cache/.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "../../lib/run/index.ts";

const dir = join(repoRoot, ".cache", `launch-test-${process.pid}`);
const script = join(dir, "hello.ts");
const dep = join(dir, "greeting.ts");
const launch = join(repoRoot, "scripts", "launch.mjs");

function run(...args: string[]) {
  const child = spawnSync(process.execPath, [launch, ...args], {
    cwd: repoRoot,
    env: { ...process.env, BBWS_LAUNCH_TRACE: "1", BBWS_NO_BACKGROUND_BUILD: "1" },
    encoding: "utf8",
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe("scripts/launch.mjs", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("runs the bundle of unchanged sources, and the sources once one of them changed", () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(dep, 'export const greeting: string = "hello";\n');
    writeFileSync(
      script,
      'import { greeting } from "./greeting.ts";\n' +
        'console.log([greeting, ...process.argv.slice(2), "from", import.meta.dirname].join(" "));\n',
    );
    const fromSources = run(script, "world");
    assert.equal(fromSources.code, 0, fromSources.stderr);
    assert.match(fromSources.stderr, /launch: sources of .*hello\.ts under tsx/);
    assert.equal(fromSources.stdout.trim(), `hello world from ${dir}`);

    const built = run("--build", script);
    assert.equal(built.code, 0, built.stderr);
    const fromBundle = run(script, "world");
    assert.equal(fromBundle.code, 0, fromBundle.stderr);
    assert.match(fromBundle.stderr, /launch: bundle \.cache\/scripts\/.*\.mjs/);
    // The bundle sees its own location as the sources', and its arguments as the command's.
    assert.equal(fromBundle.stdout.trim(), `hello world from ${dir}`);

    writeFileSync(dep, 'export const greeting: string = "hi";\n');
    const changed = run(script, "again");
    assert.match(changed.stderr, /launch: sources of .*hello\.ts under tsx/);
    assert.equal(changed.stdout.trim(), `hi again from ${dir}`);
  });

  test("without a script it is a usage error (exit 2)", () => {
    const result = run();
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: node scripts\/launch\.mjs/);
  });
});
