// Browsers and bundlers: `await init()` once, then every check is synchronous.
import initWasm from "./permiso.js";
import { ready } from "./api.js";

export async function init(input) {
  await initWasm(input === undefined ? undefined : { module_or_path: input });
  ready();
}

export * from "./api.js";
