import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";
import { DependencyError, UnauthorizedError } from "./errors.ts";

// One key set per issuer, kept for the container's lifetime like a module-scope client on Lambda,
// so only a cold start (or an unknown `kid`) fetches the JWKS.
const keySets = new Map<string, JWTVerifyGetKey>();

function keySetFor(issuer: string): JWTVerifyGetKey {
  let keySet = keySets.get(issuer);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { timeoutDuration: 3000 });
    keySets.set(issuer, keySet);
  }
  return keySet;
}

const CognitoClaimsSchema = z.object({
  sub: z.string().min(1),
  token_use: z.enum(["id", "access"], { error: "token_use must be 'id' or 'access'" }),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  client_id: z.string().optional(),
  exp: z.number(),
});

export interface Principal {
  subject: string;
  tokenUse: "id" | "access";
}

// jose error codes that mean "this token is not acceptable" (401); any other failure means the
// key set could not be obtained, which is the function's problem, not the caller's (500).
const rejectedTokenCodes = new Set([
  "ERR_JWT_EXPIRED",
  "ERR_JWT_CLAIM_VALIDATION_FAILED",
  "ERR_JWT_INVALID",
  "ERR_JWS_INVALID",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
  "ERR_JOSE_ALG_NOT_ALLOWED",
  "ERR_JOSE_NOT_SUPPORTED",
]);

function joseCode(error: unknown): string | undefined {
  const parsed = z.object({ code: z.string() }).safeParse(error);
  return parsed.success ? parsed.data.code : undefined;
}

/** Extracts the bearer token from an Authorization header value, or explains why there is none. */
export function bearerTokenOf(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === "")
    throw new UnauthorizedError("no Authorization header");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match?.[1]) throw new UnauthorizedError("the Authorization header is not 'Bearer <token>'");
  return match[1];
}

/**
 * Verifies a Cognito JWT: RS256 against the pool's JWKS, issuer, expiry, and the app client
 * (`aud` for ID tokens, `client_id` for access tokens).
 */
export async function verifyCognitoToken(
  token: string,
  issuer: string,
  clientId: string,
): Promise<Principal> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keySetFor(issuer), {
      issuer,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "token_use"],
    }));
  } catch (error) {
    const code = joseCode(error);
    if (code !== undefined && rejectedTokenCodes.has(code)) {
      const reason =
        code === "ERR_JWT_EXPIRED" ? "the token has expired" : `the token was rejected (${code})`;
      throw new UnauthorizedError(reason, { cause: error });
    }
    throw new DependencyError(
      `Could not obtain the signing keys from ${issuer}/.well-known/jwks.json to verify the token. Check that COGNITO_ISSUER names a reachable user pool issuer.`,
      { cause: error },
    );
  }
  const claims = CognitoClaimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthorizedError("the token lacks Cognito claims (sub, token_use, exp)");
  const { token_use: tokenUse, aud, client_id: tokenClientId, sub } = claims.data;
  const audiences = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
  const clientMatches = tokenUse === "id" ? audiences.includes(clientId) : tokenClientId === clientId;
  if (!clientMatches) throw new UnauthorizedError("the token was issued to a different app client");
  return { subject: sub, tokenUse };
}
