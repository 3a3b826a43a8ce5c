//! The core crate's root stays small: at most 45 names, counting every name
//! of every `pub use` and every `pub mod` in `src/lib.rs`. Larger groups
//! (the waiter) are public modules of their own.
#![allow(clippy::disallowed_methods)] // the test reads the source

/// The names `src/lib.rs` makes public at the crate root.
fn root_names() -> Vec<String> {
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    let mut names = Vec::new();
    let mut statement = String::new();
    for line in lib.lines().map(str::trim) {
        if line.starts_with("pub mod ") {
            names.push(
                line.trim_start_matches("pub mod ")
                    .trim_end_matches(';')
                    .to_owned(),
            );
        }
        if line.starts_with("pub use ") || !statement.is_empty() {
            statement.push_str(line);
            if line.ends_with(';') {
                let list = statement.split_once('{').map_or_else(
                    || statement.rsplit("::").next().unwrap_or_default().to_owned(),
                    |(_, list)| list.trim_end_matches("};").to_owned(),
                );
                names.extend(
                    list.trim_end_matches(';')
                        .split(',')
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty()),
                );
                statement.clear();
            }
        }
    }
    names
}

#[test]
fn the_crate_root_names_at_most_45_items() {
    let names = root_names();
    assert!(names.contains(&"Deployment".to_owned()), "{names:?}");
    assert!(names.contains(&"waiter".to_owned()), "{names:?}");
    assert!(names.len() <= 45, "{} root names: {names:?}", names.len());
}
