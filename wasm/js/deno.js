// Deno (needs --allow-read for the package directory).
import { initSync, ready } from "./api.js";

initSync({ module: Deno.readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });
ready();

export * from "./api.js";
