//! The committed `api-spec.json` is what the generator makes of the
//! catalogs now; generating checks every table (no dead or conflicting
//! override rows, exactly one rule per entry).

mod common;

use spec::document::Document;
use spec::generate;

#[test]
fn committed_spec_is_fresh() {
    let Some(dir) = common::catalog_dir("committed_spec_is_fresh") else {
        return;
    };
    let generated = generate::generate_json(&dir).unwrap_or_else(|e| panic!("spec-gen fails: {e}"));
    let committed = std::fs::read_to_string(generate::default_spec_path()).unwrap();
    assert!(
        generated == committed,
        "spec/api-spec.json is stale: run `cargo run -p spec --bin spec-gen`"
    );
}

#[test]
fn generation_is_deterministic() {
    let Some(dir) = common::catalog_dir("generation_is_deterministic") else {
        return;
    };
    let a = generate::generate_json(&dir).unwrap();
    let b = generate::generate_json(&dir).unwrap();
    assert_eq!(a, b);
    assert_eq!(Document::parse(&a).unwrap().to_json(), a);
}

#[test]
fn missing_catalogs_skip_locally_and_fail_in_ci() {
    let nowhere = std::path::PathBuf::from("/nonexistent/uyuni-api");
    assert_eq!(common::locate("t", nowhere.clone(), false), None);
    let in_ci = std::panic::catch_unwind(|| common::locate("t", nowhere, true));
    assert!(in_ci.is_err());
}
