//! Replays every conformance vector in `tests/vectors/` (or the directory in
//! `PERMISO_VECTORS`) through the Rust core.

use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    match std::env::var_os("PERMISO_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

#[test]
fn every_vector_file_passes() {
    let dir = vector_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let (mut passed, mut failed) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let report = permiso_conformance::run_file(&text);
        assert!(!report.cases.is_empty(), "{} has no cases", file.display());
        passed += report.passed();
        failed += report.failed();
        for case in &report.cases {
            if let Some(why) = &case.failure {
                failures.push(format!(
                    "{} :: {}: {why}",
                    file.file_name().unwrap().to_string_lossy(),
                    case.name
                ));
            }
        }
        println!(
            "{}: {} passed, {} failed",
            file.display(),
            report.passed(),
            report.failed()
        );
    }
    println!("vectors: {passed} passed, {failed} failed");
    assert!(
        failures.is_empty(),
        "{} vector cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
