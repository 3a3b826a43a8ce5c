//! Traceability between docs/spec.md and the tests: every rule is checked by
//! a test, every rule a test names exists, and each rule's "Tests:" line
//! lists exactly the tests that carry its ID in a `/// Spec: R…` line.
#![allow(clippy::disallowed_methods)] // the test reads the spec and the test sources

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use regex_lite::Regex;

type Links = BTreeMap<String, BTreeSet<String>>;

/// Rule ID → the tests listed under it in docs/spec.md.
fn rules_in_spec() -> Links {
    let spec = fs::read_to_string("docs/spec.md").unwrap();
    let heading = Regex::new(r"^### (R\d+)\. ").unwrap();
    let listed = Regex::new(r"`([a-z_]+::[a-z0-9_]+)`").unwrap();
    let mut rules = Links::new();
    let mut current: Option<String> = None;
    for line in spec.lines() {
        if let Some(c) = heading.captures(line) {
            let id = c[1].to_owned();
            assert!(!rules.contains_key(&id), "rule {id} is defined twice");
            rules.insert(id.clone(), BTreeSet::new());
            current = Some(id);
        } else if let (Some(id), Some(tests)) = (&current, line.strip_prefix("Tests: ")) {
            let set = rules.get_mut(id).unwrap();
            set.extend(listed.captures_iter(tests).map(|c| c[1].to_owned()));
        }
    }
    rules
}

/// Rule ID → the tests whose `/// Spec:` line names it.
fn rules_in_tests() -> Links {
    let marker = Regex::new(r"R\d+").unwrap();
    // A test function, or a case of a test-generating macro (`case_name: …`).
    let function = Regex::new(r"fn ([a-z0-9_]+)\s*[(<]|^([a-z0-9_]+): ").unwrap();
    let mut links = Links::new();
    // The core crate's, the wire crate's and the server's tests.
    let mut files: Vec<_> = ["tests", "wire/tests", "server/tests"]
        .iter()
        .flat_map(|dir| fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    for path in files {
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).unwrap();
        let mut pending: Option<Vec<String>> = None;
        for line in text.lines() {
            let line = line.trim();
            if let Some(ids) = line.strip_prefix("/// Spec:") {
                pending = Some(
                    marker
                        .find_iter(ids)
                        .map(|m| m.as_str().to_owned())
                        .collect(),
                );
            } else if let (Some(ids), Some(c)) = (&pending, function.captures(line)) {
                let test = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
                for id in ids {
                    links
                        .entry(id.clone())
                        .or_default()
                        .insert(format!("{module}::{test}"));
                }
                pending = None;
            }
        }
    }
    links
}

/// The rules of docs/spec.md and the tests that name each.
fn rules() -> (Links, Links) {
    (rules_in_spec(), rules_in_tests())
}

#[test]
fn every_rule_in_the_spec_is_checked_by_a_test() {
    let (spec, tests) = rules();
    assert!(
        spec.len() >= 29,
        "only {} rules found in docs/spec.md",
        spec.len()
    );
    let unchecked: Vec<&String> = spec.keys().filter(|id| !tests.contains_key(*id)).collect();
    assert_eq!(unchecked, Vec::<&String>::new(), "rules no test references");
}

#[test]
fn every_rule_a_test_names_exists_in_the_spec() {
    let (spec, tests) = rules();
    let unknown: Vec<&String> = tests.keys().filter(|id| !spec.contains_key(*id)).collect();
    assert_eq!(
        unknown,
        Vec::<&String>::new(),
        "tests name rules that docs/spec.md does not define"
    );
}

#[test]
fn each_rule_lists_exactly_the_tests_that_check_it() {
    let (spec, tests) = rules();
    for (id, listed) in &spec {
        let marked = tests.get(id).cloned().unwrap_or_default();
        let expected: Vec<String> = marked.iter().map(|t| format!("`{t}`")).collect();
        assert_eq!(
            listed,
            &marked,
            "the Tests: line of {id} in docs/spec.md should read:\nTests: {}",
            expected.join(", ")
        );
    }
}
