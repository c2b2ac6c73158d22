// One cold path of aws-jwt-verify (Node), for `make bench`: the process starts, imports the library and
// creates a CognitoJwtVerifier (with `hydrate` awaited during INIT when asked, as its README suggests),
// then verifies the first token (fetching the JWKS unless hydrated) and a second one.
//
//   node cold_path.mjs <config.json> <hydrate: 0|1>
//
// config: {"user_pool_id", "client_ids", "scope", "jwks_url", "tokens": [first, second]}
// stdout: one JSON line {"start", "init", "first", "second", "ok"} (epoch milliseconds; the process's
// spawn time is the parent's).
const start = Date.now();
const { readFileSync } = await import("node:fs");
const { CognitoJwtVerifier } = await import("aws-jwt-verify");
const { SimpleJwksCache } = await import("aws-jwt-verify/jwk");

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const hydrate = process.argv[3] === "1";

// the JWKS from the loopback server (which adds the network's delay)
const { loopbackFetcher } = await import("./loopback_fetcher.mjs");
const fetcher = loopbackFetcher(config.jwks_url);

const verifier = CognitoJwtVerifier.create(
  { userPoolId: config.user_pool_id, tokenUse: "access", clientId: config.client_ids, scope: config.scope },
  { jwksCache: new SimpleJwksCache({ fetcher }) },
);
if (hydrate) {
  await verifier.hydrate();
}
const init = Date.now();

async function handle(token) {
  try {
    await verifier.verify(token);
    return 200;
  } catch {
    return 401;
  }
}

const firstStatus = await handle(config.tokens[0]);
const first = Date.now();
const secondStatus = await handle(config.tokens[1]);
const second = Date.now();
process.stdout.write(
  JSON.stringify({ start, init, first, second, ok: firstStatus === 200 && secondStatus === 200 }) + "\n",
);
