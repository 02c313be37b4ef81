// Deno (needs --allow-read for the package directory).
import { initSync } from "./api.js";

initSync({ module: Deno.readFileSync(new URL("./permiso_bg.wasm", import.meta.url)) });

export * from "./api.js";
