// The package's public names, the same from every entry.
export { JwksRefresh, PermisoError, codes, hashKey, operations, version } from "./api.js";
export { Decision, Identity, PendingToken, Policy, SigningKey, VerifiedKey, VerifiedToken } from "./permiso.js";
