// Cloudflare Workers / workerd: the .wasm is imported as a module (Workers
// forbid compiling from bytes) and instantiated synchronously.
import wasm from "./permiso_bg.wasm";
import { initSync } from "./permiso.js";
import { ready } from "./api.js";

initSync({ module: wasm });
ready();

export * from "./public.js";

/** Ready at import here; resolves at once, so code written for browsers runs unchanged. */
export async function init() {}
