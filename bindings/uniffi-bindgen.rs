//! The uniffi binding generator, built from this workspace so its version
//! always matches the `uniffi` crate the bindings use.
fn main() {
    uniffi::uniffi_bindgen_main()
}
