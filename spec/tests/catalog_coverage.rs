//! Every entry of every release's catalog is in the spec, for that release.

mod common;

use std::collections::BTreeSet;

use spec::generate::catalog::{RawEntry, read_catalog};
use spec::generate::corrections::correction_for;
use spec::{Release, Type};

/// The identity of a catalog entry after the generator's corrections.
fn identity(raw: &RawEntry) -> (String, String, Vec<Type>) {
    let words: Vec<&str> = match correction_for(raw) {
        Some(c) => c.params.iter().map(|(_, ty)| *ty).collect(),
        None => raw.params.iter().map(|p| p.ty.as_str()).collect(),
    };
    let types = words
        .iter()
        .map(|w| Type::from_catalog(w).unwrap_or_else(|| panic!("type word {w}")))
        .collect();
    (raw.namespace.clone(), raw.method.clone(), types)
}

#[test]
fn every_catalog_entry_is_in_the_spec() {
    let Some(dir) = common::catalog_dir("every_catalog_entry_is_in_the_spec") else {
        return;
    };
    let spec = spec::spec();
    for release in Release::ALL {
        let raw = read_catalog(&dir, release).unwrap();
        let mut distinct = BTreeSet::new();
        for entry in &raw {
            let (ns, method, types) = identity(entry);
            let found = spec
                .overloads(&format!("{ns}.{method}"))
                .into_iter()
                .any(|e| e.param_types().eq(types.iter()) && e.in_release(release));
            assert!(found, "{release}: {ns}.{method}({types:?}) missing");
            distinct.insert(format!("{ns}.{method}{types:?}"));
        }
        let in_spec = spec.entries_in(release).count();
        assert_eq!(in_spec, distinct.len(), "{release}: spec has extra entries");
        assert!(raw.len() >= in_spec);
    }
}

#[test]
fn every_catalog_namespace_is_in_the_spec() {
    let Some(dir) = common::catalog_dir("every_catalog_namespace_is_in_the_spec") else {
        return;
    };
    for release in Release::ALL {
        for entry in read_catalog(&dir, release).unwrap() {
            let ns = spec::spec().namespace(&entry.namespace).unwrap();
            assert!(ns.in_release(release), "{release}: {}", ns.name);
        }
    }
}
