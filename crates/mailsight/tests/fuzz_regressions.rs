//! The fuzz targets' functions (`fuzz/src/targets.rs`, shared with the
//! cargo-fuzz binaries) run over the inputs kept in the repository: every
//! crash input fuzzing found (`fuzz/regressions/<target>/`), and the seed
//! corpus (`fuzz/seeds/<target>/`). This runs on the stable toolchain in
//! the test command, so a fixed crash stays fixed without nightly.

use std::path::{Path, PathBuf};

#[path = "../../../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds_and_every_kept_input_passes() {
    let mut failed = Vec::new();
    for (name, target) in targets::TARGETS {
        let seeds = inputs("seeds", name);
        assert!(!seeds.is_empty(), "fuzz/seeds/{name}/ has no seed");
        for path in seeds.iter().chain(inputs("regressions", name).iter()) {
            let bytes = std::fs::read(path).unwrap();
            if std::panic::catch_unwind(|| target(&bytes)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that panic their target: {failed:?}"
    );
}

#[test]
fn every_fuzz_binary_is_a_listed_target() {
    let dir = fuzz_dir().join("fuzz_targets");
    let mut binaries: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    binaries.sort();
    let mut listed: Vec<String> = targets::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(binaries, listed);
}
