// The JWKS fetcher both aws-jwt-verify scripts give the library: the verifier asks for
// https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json, and this answers that request
// from the bench's loopback server instead (the machine has no other network).
import http from "node:http";

export function loopbackFetcher(url) {
  return {
    fetch: () =>
      new Promise((resolve, reject) => {
        const req = http.get(url, (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`JWKS status ${res.statusCode}`));
            res.resume();
            return;
          }
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const buf = Buffer.concat(chunks);
            resolve(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
          });
        });
        req.on("error", reject);
        req.setTimeout(3000, () => req.destroy(new Error("JWKS timeout")));
      }),
  };
}
