// aws-jwt-verify under `make bench`: one CognitoJwtVerifier, hydrated from the bench's loopback JWKS
// server, then verifySync over the same tokens the Python cases verify, one round per stdin command.
//
//   node aws_jwt_verify_runner.mjs <config.json>
//
// config: {"user_pool_id", "client_ids", "scope", "grace_seconds", "jwks_url", "tokens", "signing_inputs",
//          "signatures_b64url", "jwk"}
// stdin lines: "verify" (all tokens), "floor" (node's own crypto.verify on the pre-split input), "quit".
// stdout: one JSON line per command: {"case", "seconds", "cpu_seconds", "count", "ok"}; first line
// {"ready": true}.
import { readFileSync } from "node:fs";
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { createInterface } from "node:readline";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { loopbackFetcher } from "./loopback_fetcher.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

const fetcher = loopbackFetcher(config.jwks_url);

const verifier = CognitoJwtVerifier.create(
  {
    userPoolId: config.user_pool_id,
    tokenUse: "access",
    clientId: config.client_ids,
    scope: config.scope,
    graceSeconds: config.grace_seconds,
  },
  { jwksCache: new SimpleJwksCache({ fetcher }) },
);
await verifier.hydrate();

const tokens = config.tokens;
const inputs = config.signing_inputs.map((s) => Buffer.from(s, "ascii"));
const signatures = config.signatures_b64url.map((s) => Buffer.from(s, "base64url"));
const publicKey = createPublicKey({ key: config.jwk, format: "jwk" });

// wall seconds, and CPU seconds (user + system) of the process, as the Python cases report them
function result(name, start, cpu, count, ok) {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { case: name, seconds, cpu_seconds: (used.user + used.system) / 1e6, count, ok };
}

function runVerify() {
  let ok = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const token of tokens) {
    try {
      verifier.verifySync(token);
      ok += 1;
    } catch {
      // counted as not ok; the bench reports it
    }
  }
  return result("verify", start, cpu, tokens.length, ok);
}

function runFloor() {
  let ok = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < inputs.length; i += 1) {
    if (cryptoVerify("RSA-SHA256", inputs[i], publicKey, signatures[i])) ok += 1;
  }
  return result("floor", start, cpu, inputs.length, ok);
}

process.stdout.write(JSON.stringify({ ready: true, node: process.version }) + "\n");
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const command = line.trim();
  if (command === "verify") process.stdout.write(JSON.stringify(runVerify()) + "\n");
  else if (command === "floor") process.stdout.write(JSON.stringify(runFloor()) + "\n");
  else if (command === "quit") break;
  else process.stdout.write(JSON.stringify({ error: `unknown command ${command}` }) + "\n");
}
process.exit(0);
