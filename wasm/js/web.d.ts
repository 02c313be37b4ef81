export * from "./permiso.js";
/** Fetches and instantiates the .wasm once; every check is synchronous afterwards. */
export function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
