//! The Kotlin and Swift library of permiso: the core built with its
//! `uniffi` feature, whose `ffi` module is the whole surface (records derived
//! where the core defines them, one exception carrying the core's error
//! record). Nothing is declared here, so nothing can drift.

pub use permiso::ffi;
