//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use spec::{Entry, Type};
use xmlrpc::{Struct, Value};

/// The shared catalogs, when present. Absent: a failure under `CI=true`,
/// else `None` after saying the test is skipped.
pub(crate) fn catalog_dir(test: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    locate(test, spec::generate::default_catalog_dir(), ci)
}

/// [`catalog_dir`] with the directory and the CI flag given.
pub(crate) fn locate(test: &str, dir: PathBuf, ci: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    if ci {
        panic!(
            "{test}: the catalogs are missing at {} (CI=true)",
            dir.display()
        );
    }
    eprintln!("{test}: skipped, no catalogs at {}", dir.display());
    None
}

/// A session key of the server's shape.
pub(crate) fn key() -> Value {
    Value::string(format!("42x{}", "0123456789abcdef".repeat(4)))
}

/// A value of exactly `ty` (arrays with one element of their element type).
pub(crate) fn sample(ty: &Type) -> Value {
    match ty {
        Type::Int => Value::Int(7),
        Type::Long => Value::I8(7),
        Type::Boolean => Value::Bool(true),
        Type::String => Value::string("x"),
        Type::Double => Value::Double(1.5),
        Type::DateTime => Value::DateTime("20250101T00:00:00".into()),
        Type::Base64 => Value::Base64(vec![1, 2]),
        Type::Struct => Value::Struct(Struct::new()),
        Type::Array(None) => Value::Array(Vec::new()),
        Type::Array(Some(element)) => Value::Array(vec![sample(element)]),
    }
}

/// Arguments that fit `entry` exactly, with a session key where it takes one.
pub(crate) fn args_for(entry: &Entry) -> Vec<Value> {
    entry
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 && entry.session {
                key()
            } else {
                sample(&p.ty)
            }
        })
        .collect()
}
