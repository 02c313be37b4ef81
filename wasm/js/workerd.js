// Cloudflare Workers / workerd: the .wasm is imported as a module (Workers
// forbid compiling from bytes) and instantiated synchronously.
import wasm from "./permiso_bg.wasm";
import { initSync, ready } from "./api.js";

initSync({ module: wasm });
ready();

export * from "./api.js";
