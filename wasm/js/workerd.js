// Cloudflare Workers / workerd: the .wasm is imported as a module (Workers
// forbid compiling from bytes) and instantiated synchronously.
import wasm from "./permiso_bg.wasm";
import { initSync } from "./api.js";

initSync({ module: wasm });

export * from "./api.js";
