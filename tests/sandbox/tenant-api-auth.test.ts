import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import { z } from "zod";
import {
  clientId,
  type LoadedPackage,
  startTenantApiFixture,
  type TenantApiFixture,
} from "./tenant-api-fixture.ts";

let fixture: TenantApiFixture;
let api: LoadedPackage;

before(async () => {
  fixture = await startTenantApiFixture();
  api = await fixture.load({ service: "tenant-instance-management", appVersion: "2.0.0" });
});
after(async () => {
  await fixture.close();
});

const ErrorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
  requestId: z.string(),
});

async function expectUnauthorized(
  token: string | null,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await api.request({ method: "GET", path: "/tenants", token, headers });
  assert.equal(response.status, 401, response.rawBody);
  assert.ok(response.headers["x-request-id"]);
  const body = ErrorBody.parse(response.body);
  assert.equal(body.error.code, "Unauthorized");
  assert.equal(body.requestId, response.headers["x-request-id"]);
  assert.doesNotMatch(
    response.stdout.join("\n") + response.stderr.join("\n"),
    /eyJ/,
    "tokens never reach the logs",
  );
  return body.error.message;
}

describe("Cognito JWT verification", () => {
  test("a valid ID token and a valid access token are accepted", async () => {
    assert.equal(
      (await api.request({ method: "GET", path: "/tenants", token: await fixture.idToken() })).status,
      200,
    );
    assert.equal(
      (await api.request({ method: "GET", path: "/tenants", token: await fixture.accessToken() })).status,
      200,
    );
    const lowercase = await api.request({
      method: "GET",
      path: "/tenants",
      token: null,
      headers: { authorization: `bearer ${await fixture.idToken()}` },
    });
    assert.equal(lowercase.status, 200, "header name and scheme are case-insensitive");
  });

  test("no token, or not a bearer token, is 401", async () => {
    assert.match(await expectUnauthorized(null), /no Authorization header/);
    await expectUnauthorized(null, { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` });
    await expectUnauthorized("not-a-jwt");
    await expectUnauthorized("");
  });

  test("an expired token is 401", async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    assert.match(await expectUnauthorized(await fixture.idToken({ exp: past, iat: past - 3600 })), /expired/);
  });

  test("a token without exp is 401", async () => {
    assert.equal(
      (
        await api.request({
          method: "GET",
          path: "/tenants",
          token: await fixture.idToken({ exp: undefined }),
        })
      ).status,
      401,
    );
  });

  test("a token for another app client is 401", async () => {
    await expectUnauthorized(await fixture.idToken({ aud: "someone-else" }));
    await expectUnauthorized(await fixture.accessToken({ client_id: "someone-else" }));
    // An access token carries client_id, not aud: an aud claim alone does not make it valid.
    await expectUnauthorized(await fixture.accessToken({ client_id: undefined, aud: clientId }));
  });

  test("a token with the wrong token_use or issuer is 401", async () => {
    await expectUnauthorized(await fixture.idToken({ token_use: "refresh" }));
    await expectUnauthorized(await fixture.idToken({ token_use: undefined }));
    await expectUnauthorized(await fixture.idToken({ iss: `${fixture.issuer}-other` }));
  });

  test("a token with a bad signature is 401", async () => {
    await expectUnauthorized(await fixture.forgedToken());
    const valid = await fixture.idToken();
    const [header, , signature] = valid.split(".");
    const claims = { sub: "admin", token_use: "id", aud: clientId, iss: fixture.issuer, exp: 4102444800 };
    // The original signature over a different payload.
    await expectUnauthorized(
      `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`,
    );
    const hs256 = await new SignJWT({ token_use: "id", aud: clientId, iss: fixture.issuer })
      .setProtectedHeader({ alg: "HS256", kid: "test-key-1" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("x".repeat(32)));
    await expectUnauthorized(hs256);
  });

  test("every route except /health requires a token", async () => {
    const routes: Array<[string, string]> = [
      ["POST", "/tenants"],
      ["GET", "/tenants/ten_00000000000000000000000000"],
      ["PUT", "/tenants/x/hierarchy"],
      ["DELETE", "/tenants/x/users/y"],
      ["GET", "/instances/x"],
      ["POST", "/instances/x/restore"],
      ["GET", "/invitations"],
      ["POST", "/invitations/x/resend"],
    ];
    for (const [method, path] of routes) {
      const response = await api.request({ method, path, token: null, body: {} });
      assert.equal(response.status, 401, `${method} ${path}`);
    }
    assert.equal((await api.request({ method: "GET", path: "/health", token: null })).status, 200);
  });

  test("the JWKS is fetched once and cached across invocations", async () => {
    const before = fixture.jwksRequests();
    for (let i = 0; i < 5; i += 1) await api.request({ method: "GET", path: "/tenants" });
    assert.equal(fixture.jwksRequests(), before);
    assert.ok(fixture.jwksRequests() <= 2, `JWKS fetched ${fixture.jwksRequests()} times`);
  });
});
