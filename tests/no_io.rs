//! The core crate and the wire crate do no I/O: no file, socket, process,
//! thread, environment, clock or randomness API appears in src/ or
//! wire/src/. (clippy.toml also
//! forbids the clock and environment calls by path; this test catches
//! imports and types that a method list cannot.)
#![allow(clippy::disallowed_methods)] // the test itself reads the sources

use std::fs;

const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::thread",
    "std::env",
    "std::io",
    "SystemTime",
    "Instant",
    "tokio",
    "rand::",
    "unsafe ",
];

/// Spec: R28
#[test]
fn no_source_file_of_the_core_or_wire_crate_names_an_io_api() {
    let mut checked = 0;
    let sources = fs::read_dir("src")
        .unwrap()
        .chain(fs::read_dir("wire/src").unwrap());
    for entry in sources {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                assert!(
                    !code.contains(word),
                    "{}:{}: `{word}` in {line:?}",
                    path.display(),
                    n + 1
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} source files found");
}

/// Spec: R28
#[test]
fn the_crate_forbids_unsafe_code_and_panicking_shortcuts() {
    for file in ["src/lib.rs", "wire/src/lib.rs"] {
        let lib = fs::read_to_string(file).unwrap();
        for attribute in [
            "#![forbid(unsafe_code)]",
            "clippy::unwrap_used",
            "clippy::expect_used",
            "clippy::panic",
            "clippy::indexing_slicing",
            "clippy::arithmetic_side_effects",
            "clippy::disallowed_methods",
        ] {
            assert!(lib.contains(attribute), "{file} lacks {attribute}");
        }
    }
    let clippy = fs::read_to_string("clippy.toml").unwrap();
    for method in ["std::time::SystemTime::now", "std::time::Instant::now"] {
        assert!(
            clippy.contains(method),
            "clippy.toml does not forbid {method}"
        );
    }
}
