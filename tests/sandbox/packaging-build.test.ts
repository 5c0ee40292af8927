import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import {
  type BuildSpec,
  BuildSpecError,
  buildPackage,
  faultKinds,
  ManifestSchema,
  parseBuildSpec,
} from "../../sandbox/packaging/index.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tenant = (extra: Partial<BuildSpec> = {}): BuildSpec => ({
  service: "tenant-instance-management",
  appVersion: "1.4.2",
  ...extra,
});

describe("buildPackage", () => {
  test("the zip holds index.mjs and manifest.json, readable with fflate", async () => {
    const built = await buildPackage(tenant());
    const files = unzipSync(built.zip);
    assert.deepEqual(Object.keys(files), ["index.mjs", "manifest.json"]);
    const code = new TextDecoder().decode(files["index.mjs"]);
    assert.match(code, /export\s*\{[^}]*\bhandler\b[^}]*\}/, "index.mjs exports handler");
    assert.match(code, /from "@aws-sdk\/client-dynamodb"/, "the AWS SDK stays external");
    assert.match(code, /from "@aws-sdk\/lib-dynamodb"/);
    assert.doesNotMatch(code, /from "(jose|zod)"/, "jose and zod are bundled");
    assert.doesNotMatch(code, /__BBWS_FAULT_PLACEHOLDER__/, "the fault placeholder is substituted");
    const manifest = ManifestSchema.parse(JSON.parse(new TextDecoder().decode(files["manifest.json"])));
    assert.deepEqual(manifest, built.manifest);
    assert.deepEqual(manifest, {
      service: "tenant-instance-management",
      appVersion: "1.4.2",
      builtAt: "2026-01-25T00:00:00.000Z",
    });
  });

  test("codeSha256 is base64(sha256(zip)), as Lambda reports it", async () => {
    const built = await buildPackage(tenant());
    assert.equal(built.codeSha256, createHash("sha256").update(built.zip).digest("base64"));
    assert.match(built.codeSha256, /^[A-Za-z0-9+/]{43}=$/);
  });

  test("the same spec yields the same bytes, also in a fresh process in another time zone", async () => {
    const built = await buildPackage(tenant({ fault: { kind: "slow-endpoint" } }));
    assert.equal(
      (await buildPackage(tenant({ fault: { kind: "slow-endpoint" } }))).codeSha256,
      built.codeSha256,
    );
    const script = `import { buildPackage } from "./sandbox/packaging/index.ts";
      const built = await buildPackage({ service: "tenant-instance-management", appVersion: "1.4.2", fault: { kind: "slow-endpoint" } });
      process.stdout.write(built.codeSha256);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: repoRoot,
      env: { ...process.env, TZ: "Pacific/Chatham" },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, built.codeSha256);
  });

  test("defaults made explicit build the same package", async () => {
    const implicit = await buildPackage(tenant({ fault: { kind: "endpoint-5xx" } }));
    const explicit = await buildPackage(
      tenant({ fault: { kind: "endpoint-5xx", route: "POST /tenants/{id}/park" } }),
    );
    assert.equal(explicit.codeSha256, implicit.codeSha256);
  });

  test("every fault kind, version and access function gives different bytes", async () => {
    const specs: BuildSpec[] = [
      tenant(),
      tenant({ appVersion: "1.4.3" }),
      ...faultKinds.map((kind) => tenant({ fault: { kind } })),
      tenant({ fault: { kind: "endpoint-5xx", route: "GET /tenants" } }),
      tenant({ fault: { kind: "slow-endpoint", delayMs: 200 } }),
      { service: "access-management", appVersion: "1.4.2", accessFunction: "roles" },
      { service: "access-management", appVersion: "1.4.2", accessFunction: "audit" },
      { service: "access-management", appVersion: "1.4.2", accessFunction: "authorizer" },
    ];
    const shas = await Promise.all(specs.map(async (spec) => (await buildPackage(spec)).codeSha256));
    assert.equal(new Set(shas).size, specs.length);
  });

  test("the manifest records the fault with its defaults filled in", async () => {
    const slow = await buildPackage(tenant({ fault: { kind: "slow-endpoint" } }));
    assert.deepEqual(slow.manifest.fault, { kind: "slow-endpoint", route: "GET /tenants", delayMs: 1500 });
    const drift = await buildPackage(tenant({ fault: { kind: "contract-drift" } }));
    assert.deepEqual(drift.manifest.fault, {
      kind: "contract-drift",
      route: "GET /tenants/{id}",
      delayMs: null,
    });
    const crash = await buildPackage(tenant({ fault: { kind: "health-crash" } }));
    assert.deepEqual(crash.manifest.fault, { kind: "health-crash", route: null, delayMs: null });
    const roles = await buildPackage({
      service: "access-management",
      appVersion: "1.3.0",
      accessFunction: "roles",
      fault: { kind: "endpoint-5xx" },
    });
    assert.deepEqual(roles.manifest, {
      service: "access-management",
      appVersion: "1.3.0",
      function: "roles",
      builtAt: "2026-01-25T00:00:00.000Z",
      fault: { kind: "endpoint-5xx", route: "GET /roles", delayMs: null },
    });
    const bundled = new TextDecoder().decode(unzipSync(slow.zip)["index.mjs"]);
    assert.match(
      bundled,
      /"slow-endpoint"[^\n]*"GET \/tenants"[^\n]*1500|kind: "slow-endpoint", route: "GET \/tenants", delayMs: 1500/,
    );
  });

  test("callers get their own copy of the bytes", async () => {
    const first = await buildPackage(tenant());
    first.zip.fill(0);
    const second = await buildPackage(tenant());
    assert.equal(createHash("sha256").update(second.zip).digest("base64"), second.codeSha256);
  });

  test("variants reuse the service's bundle: a new version costs no esbuild run", async () => {
    await buildPackage(tenant());
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) await buildPackage(tenant({ appVersion: `9.0.${i}` }));
    // One esbuild run alone takes a few hundred milliseconds; five would take well over a second.
    assert.ok(
      performance.now() - started < 1000,
      `5 manifest variants took ${Math.round(performance.now() - started)} ms`,
    );
  });

  test("parseBuildSpec accepts a valid untyped spec", async () => {
    const spec = parseBuildSpec(
      JSON.parse('{"service":"access-management","appVersion":"1.3.0","accessFunction":"audit"}'),
    );
    assert.deepEqual(spec, { service: "access-management", appVersion: "1.3.0", accessFunction: "audit" });
    assert.equal((await buildPackage(spec)).manifest.function, "audit");
  });

  test("bad specs are refused with every problem named", async () => {
    const refuse = async (spec: unknown, ...fragments: RegExp[]) => {
      // Specs from JSON (CLI, control API) arrive untyped: parseBuildSpec is their way in.
      const error = await (async () => buildPackage(parseBuildSpec(spec)))().then(
        () => assert.fail("expected a BuildSpecError"),
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof BuildSpecError, String(error));
      for (const fragment of fragments) assert.match(error.message, fragment);
    };
    await refuse({ service: "access-management", appVersion: "1.0.0" }, /accessFunction/);
    await refuse({ service: "tenant-instance-management", appVersion: "1.0.0", colour: "red" }, /colour/);
    await refuse(
      { service: "tenant-instance-management", appVersion: "1.0.0", accessFunction: "roles" },
      /accessFunction/,
    );
    await refuse({ service: "billing", appVersion: "1.0.0" }, /service/);
    await refuse({ service: "tenant-instance-management", appVersion: "" }, /appVersion/);
    await refuse(
      { service: "tenant-instance-management", appVersion: "1.0.0", fault: { kind: "meltdown" } },
      /fault\.kind/,
    );
    await refuse(
      {
        service: "tenant-instance-management",
        appVersion: "1.0.0",
        fault: { kind: "endpoint-5xx", route: "POST /tenant/{id}/park" },
      },
      /POST \/tenant\/\{id\}\/park is not a route/,
    );
    await refuse(
      {
        service: "tenant-instance-management",
        appVersion: "1.0.0",
        fault: { kind: "health-crash", route: "GET /health", delayMs: 5 },
      },
      /fault\.route/,
      /fault\.delayMs/,
    );
    await refuse(
      {
        service: "access-management",
        appVersion: "1.0.0",
        accessFunction: "audit",
        fault: { kind: "writes-not-persisted" },
      },
      /writes-not-persisted/,
    );
    await refuse(
      {
        service: "access-management",
        appVersion: "1.0.0",
        accessFunction: "audit",
        fault: { kind: "endpoint-5xx", route: "GET /roles" },
      },
      /not a route of audit/,
    );
  });
});
