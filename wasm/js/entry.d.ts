export * from "./public.js";
/**
 * Instantiates the .wasm once (browsers and bundlers: fetched from next to
 * this module unless `input` says otherwise). In Node, Deno and workerd the
 * package is ready at import and `init()` resolves at once. Before it has
 * resolved, every call throws `PermisoError` with code `not_initialized`.
 */
export function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
