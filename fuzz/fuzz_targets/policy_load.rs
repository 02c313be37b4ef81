//! Policy loading in every format never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::{Format, Policy};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let format = match first % 3 {
        0 => Format::Json,
        1 => Format::Yaml,
        _ => Format::Toml,
    };
    if let Ok(policy) = Policy::from_str(&text, format) {
        let _ = policy.hash().to_string();
    }
});
