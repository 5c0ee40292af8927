import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { CognitoTokenSource, TokenUnavailableError } from "../../lib/aws/index.ts";
import { REDACTED, redact } from "../../lib/redact/index.ts";

const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJ0b2tlbl91c2UiOiJpZCJ9.aWQtdG9rZW4tc2lnbmF0dXJl";

describe("CognitoTokenSource (the api fixture's token)", () => {
  let server: Server;
  let client: CognitoIdentityProviderClient;
  const calls: {
    target: string;
    body: { AuthFlow?: string; ClientId?: string; AuthParameters?: Record<string, string> };
  }[] = [];
  let reply: (res: import("node:http").ServerResponse) => void = () => {};

  before(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on("end", () => {
        calls.push({ target: String(req.headers["x-amz-target"]), body: JSON.parse(text) });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new CognitoIdentityProviderClient({
      region: "eu-west-1",
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" },
      maxAttempts: 1,
    });
  });

  after(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function source(env: Record<string, string | undefined>, expiresIn = 3600) {
    reply = (res) =>
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
        JSON.stringify({
          AuthenticationResult: {
            IdToken: ID_TOKEN,
            AccessToken: "access-token-value",
            ExpiresIn: expiresIn,
          },
        }),
      );
    return new CognitoTokenSource({
      client,
      environment: "dev",
      clientId: () => "client-123",
      usernameVar: "BBWS_DEV_SMOKE_USERNAME",
      passwordVar: "BBWS_DEV_SMOKE_PASSWORD",
      env,
    });
  }

  test("signs in with USER_PASSWORD_AUTH once and serves concurrent and later callers from the cache", async () => {
    calls.length = 0;
    const tokens = source({
      BBWS_DEV_SMOKE_USERNAME: "smoke@bbws.example",
      BBWS_DEV_SMOKE_PASSWORD: "Pa55word!xyz",
    });
    const [a, b] = await Promise.all([tokens.get(), tokens.get()]);
    const c = await tokens.get();
    assert.deepEqual([a, b, c], [ID_TOKEN, ID_TOKEN, ID_TOKEN]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.target, "AWSCognitoIdentityProviderService.InitiateAuth");
    assert.equal(calls[0]?.body.AuthFlow, "USER_PASSWORD_AUTH");
    assert.equal(calls[0]?.body.ClientId, "client-123");
    assert.deepEqual(calls[0]?.body.AuthParameters, {
      USERNAME: "smoke@bbws.example",
      PASSWORD: "Pa55word!xyz",
    });
  });

  test("registers the password and the tokens with the redactor", async () => {
    const tokens = source({
      BBWS_DEV_SMOKE_USERNAME: "smoke@bbws.example",
      BBWS_DEV_SMOKE_PASSWORD: "An0therSecret!",
    });
    await tokens.get();
    assert.equal(redact("pw An0therSecret! at access-token-value"), `pw ${REDACTED} at ${REDACTED}`);
  });

  test("fetches a new token when the cached one is about to expire", async () => {
    calls.length = 0;
    const tokens = source({ BBWS_DEV_SMOKE_USERNAME: "u@x", BBWS_DEV_SMOKE_PASSWORD: "secret-pw-1" }, 30);
    await tokens.get();
    await tokens.get();
    assert.equal(calls.length, 2, "a 30 s token is inside the 60 s refresh margin");
  });

  test("names the missing variables instead of calling Cognito", async () => {
    calls.length = 0;
    const tokens = source({ BBWS_DEV_SMOKE_USERNAME: "u@x" });
    await assert.rejects(
      tokens.get(),
      (error: unknown) =>
        error instanceof TokenUnavailableError && /BBWS_DEV_SMOKE_PASSWORD is not set/.test(error.message),
    );
    assert.equal(calls.length, 0);
  });

  test("a refused sign-in or a challenge is a TokenUnavailableError that does not echo the password", async () => {
    const tokens = source({ BBWS_DEV_SMOKE_USERNAME: "u@x", BBWS_DEV_SMOKE_PASSWORD: "wrong-password-9" });
    reply = (res) =>
      res
        .writeHead(400, { "content-type": "application/x-amz-json-1.1" })
        .end(
          JSON.stringify({ __type: "NotAuthorizedException", message: "Incorrect username or password." }),
        );
    await assert.rejects(tokens.get(), (error: unknown) => {
      assert.ok(error instanceof TokenUnavailableError);
      assert.match(error.message, /NotAuthorizedException/);
      assert.ok(!error.message.includes("wrong-password-9"));
      return true;
    });
    const challenged = source({ BBWS_DEV_SMOKE_USERNAME: "u@x", BBWS_DEV_SMOKE_PASSWORD: "new-pw-needed" });
    reply = (res) =>
      res
        .writeHead(200, { "content-type": "application/x-amz-json-1.1" })
        .end(JSON.stringify({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }));
    await assert.rejects(challenged.get(), /NEW_PASSWORD_REQUIRED/);
  });
});
