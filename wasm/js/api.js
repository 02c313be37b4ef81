// The public API: the generated bindings, the one error class, and the one
// dispatch JS needs (an Identity instance or a plain identity record).
import { __setErrorFactory, Identity, Policy } from "./permiso.js";

export * from "./permiso.js";

export class PermisoError extends Error {
  constructor(message, code, extra) {
    super(message);
    this.name = "PermisoError";
    this.code = code;
    if (extra) Object.assign(this, extra);
  }
}

/** Called by each entry module once the wasm module is instantiated. */
export function ready() {
  __setErrorFactory((message, code, extra) => new PermisoError(message, code, extra));
}

Policy.prototype.authorize = function authorize(identity, action, resource, tenant, now) {
  return identity instanceof Identity
    ? this.authorizeIdentity(identity, action, resource, tenant, now)
    : this.authorizeRecord(identity, action, resource, tenant, now);
};

// The AuthZEN APIs by name; each is one `authzen` call.
for (const [name, api] of [
  ["accessEvaluation", "evaluation"],
  ["accessEvaluations", "evaluations"],
  ["searchSubjects", "search/subject"],
  ["searchResources", "search/resource"],
  ["searchActions", "search/action"],
]) {
  Policy.prototype[name] = function (request, hostData) {
    return this.authzen(api, request, hostData);
  };
}

Policy.prototype.delegate = function delegate(kind, identity, request, key, now) {
  return identity instanceof Identity
    ? this.delegateIdentity(kind, identity, request, key, now)
    : this.delegateRecord(kind, identity, request, key, now);
};

// verifyJWTAsync: the core applies every rule; only the signature of
// public-key tokens is checked by the runtime's WebCrypto.
const WEBCRYPTO = {
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS384: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS512: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" }, { name: "RSASSA-PKCS1-v1_5" }],
  PS256: [{ name: "RSA-PSS", hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }],
  PS384: [{ name: "RSA-PSS", hash: "SHA-384" }, { name: "RSA-PSS", saltLength: 48 }],
  PS512: [{ name: "RSA-PSS", hash: "SHA-512" }, { name: "RSA-PSS", saltLength: 64 }],
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  ES384: [{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
};
const importedKeys = new Map();

async function webCryptoVerdict(pending) {
  const subtle = globalThis.crypto?.subtle;
  const params = WEBCRYPTO[pending.algorithm];
  const jwk = pending.publicJwk;
  if (!subtle || !params || !jwk) return undefined;
  const cacheKey = pending.algorithm + JSON.stringify(jwk);
  let key = importedKeys.get(cacheKey);
  if (!key) {
    try {
      key = await subtle.importKey("jwk", { ...jwk, ext: true }, params[0], false, ["verify"]);
    } catch {
      return undefined; // the runtime lacks this algorithm: the core checks it
    }
    if (importedKeys.size >= 64) importedKeys.clear();
    importedKeys.set(cacheKey, key);
  }
  try {
    return await subtle.verify(params[1], key, pending.signature, pending.signingInput);
  } catch {
    return false;
  }
}

Policy.prototype.verifyJWTAsync = async function verifyJWTAsync(token, options) {
  const pending = this.beginJWT(token, options);
  const verdict = await webCryptoVerdict(pending);
  return this.completeJWT(pending, verdict, options);
};
