// Node: the module is compiled synchronously at import; checks are synchronous.
import { constants, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { initSync } from "./permiso.js";
import { ready } from "./api.js";

// Token signatures for the async calls are checked by Node's crypto module
// on its thread pool: the check WebCrypto makes in Node, without WebCrypto's
// per-call conversion of its arguments. [digest, options] per algorithm.
const pss = (saltLength) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
const p1363 = { dsaEncoding: "ieee-p1363" };
const NODE = {
  RS256: ["sha256", {}],
  RS384: ["sha384", {}],
  RS512: ["sha512", {}],
  PS256: ["sha256", pss(32)],
  PS384: ["sha384", pss(48)],
  PS512: ["sha512", pss(64)],
  ES256: ["sha256", p1363],
  ES384: ["sha384", p1363],
  EdDSA: [null, {}],
};
const nodeCrypto = {
  supports: (algorithm) => algorithm in NODE,
  importKey: async (jwk, algorithm) => ({ ...NODE[algorithm][1], key: createPublicKey({ key: jwk, format: "jwk" }) }),
  verify: (key, algorithm, signature, data) =>
    new Promise((resolve) => {
      verify(NODE[algorithm][0], data, key, signature, (error, valid) => resolve(!error && valid));
    }),
};

initSync({ module: readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });
ready(nodeCrypto);

export * from "./public.js";

/** Ready at import here; resolves at once, so code written for browsers runs unchanged. */
export async function init() {}
