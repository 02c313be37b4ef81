export * from "./permiso.js";
