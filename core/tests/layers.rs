//! The core is built in layers, and no module reaches up a layer: from the
//! bottom, shared leaves (codes, permission sets, secrets, text, times, host
//! records, the name grammar) → pure formats (API key text, JWKs, token
//! claims, HTTP paths, the policy document) → the compiled model (the policy,
//! its routes and credential kinds) → authorization (identities, evaluation, decisions) →
//! authentication (keys, tokens) → requests → the façade (`api`) and the
//! boundary contract (`wire`) → the Kotlin/Swift and Python surfaces (`ffi`,
//! `py`, behind features). This test reads the sources and names every line
//! that imports from a higher layer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

/// Module path (below `crate::`) → layer. The longest matching prefix wins.
const LAYERS: &[(&str, u8)] = &[
    ("code", 0),
    ("permset", 0),
    ("secret", 0),
    ("text", 0),
    ("time", 0),
    ("records", 0),
    ("policy::pattern", 0),
    ("key", 1),
    ("jwk", 1),
    ("claims", 1),
    ("path", 1),
    ("policy::doc", 1),
    ("policy::value", 1),
    ("policy::yaml", 1),
    ("policy::canonical", 1),
    ("policy::error", 1),
    ("policy", 2),
    ("authz", 3),
    ("decision", 3),
    ("apikeys", 4),
    ("jwt", 4),
    ("request", 5),
    ("api", 6),
    ("wire", 6),
    ("authzen", 6),
    ("ffi", 7),
    ("py", 7),
];

const NAMES: [&str; 8] = [
    "leaves",
    "formats",
    "model",
    "authorization",
    "authentication",
    "requests",
    "façade",
    "bindings",
];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .filter(|(prefix, _)| module == *prefix || module.starts_with(&format!("{prefix}::")))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, layer)| *layer)
}

/// The module path of a source file: `policy/routes.rs` → `policy::routes`.
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [one] if one == "lib" => "lib".into(),
        [dir, last] if last == "mod" => dir.clone(),
        _ => parts.join("::"),
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b` (and `super::a` resolved) a line of code refers to.
fn references(module: &str, line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut out = Vec::new();
    for (marker, base) in [("crate::", String::new()), ("super::", parent(module))] {
        let mut rest = code;
        while let Some(i) = rest.find(marker) {
            let tail = &rest[i + marker.len()..];
            let path: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            // Keep module segments (lowercase), drop the item name.
            let modules: Vec<&str> = segments
                .iter()
                .take_while(|s| s.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .copied()
                .collect();
            let mut full = base.clone();
            for m in modules {
                if !full.is_empty() {
                    full.push_str("::");
                }
                full.push_str(m);
            }
            if !full.is_empty() {
                out.push(full);
            }
            rest = &rest[i + marker.len()..];
        }
    }
    out
}

fn parent(module: &str) -> String {
    match module.rsplit_once("::") {
        Some((p, _)) => p.to_owned(),
        None => String::new(),
    }
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&root, file);
        if module == "lib" {
            continue; // the crate root re-exports every layer
        }
        let own = layer_of(&module).unwrap_or_else(|| panic!("{module} has no layer: add it to LAYERS"));
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break; // unit tests may reach anywhere
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for target in references(&module, line) {
                let Some(layer) = layer_of(&target) else { continue };
                checked += 1;
                if layer > own {
                    violations.push(format!(
                        "{}:{}: `{module}` ({}) uses `{target}` ({}): {}",
                        file.strip_prefix(&root).unwrap().display(),
                        n + 1,
                        NAMES[own as usize],
                        NAMES[layer as usize],
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "the test read too few imports ({checked}): is it parsing the sources?"
    );
    assert!(violations.is_empty(), "imports up a layer:\n{}", violations.join("\n"));
}

#[test]
fn the_layer_table_resolves_the_longest_prefix() {
    assert_eq!(layer_of("policy::pattern"), Some(0));
    assert_eq!(layer_of("policy::routes"), Some(2));
    assert_eq!(layer_of("policy"), Some(2));
    assert_eq!(layer_of("jwt::verify"), Some(4));
    assert_eq!(layer_of("keys"), None);
    assert_eq!(
        references("policy::routes", "use super::doc::RouteDoc;"),
        vec!["policy::doc"]
    );
    let found = references(
        "jwt::issue",
        "use crate::policy::pattern::parse_pattern; // crate::request",
    );
    assert_eq!(found.len(), 1, "comments are not code: {found:?}");
    assert_eq!(layer_of(&found[0]), Some(0));
}

/// A decision is built only by the authorization layer (`authz`, and
/// `decision`, which defines it): every other module asks `authz` for one.
#[test]
fn decisions_are_built_by_the_authorization_layer_only() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut builders = Vec::new();
    for file in &files {
        let module = module_of(&root, file);
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.trim_end().ends_with("Decision {") && !code.contains("struct") && !code.contains("impl") {
                builders.push(format!("{module}:{}", n + 1));
            }
        }
    }
    assert!(!builders.is_empty(), "the test found no decision being built");
    let outside: Vec<&String> = builders
        .iter()
        .filter(|b| !b.starts_with("authz:") && !b.starts_with("decision:"))
        .collect();
    assert!(outside.is_empty(), "decisions built outside authz: {outside:?}");
}
