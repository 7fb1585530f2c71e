//! `spec-gen`: regenerates `spec/api-spec.json` from the shared catalogs.
//!
//! ```text
//! cargo run -p spec --bin spec-gen -- [--catalogs DIR] [--out FILE] [--check]
//! ```
//!
//! `--catalogs` defaults to `../shared/uyuni-api` and `--out` to
//! `spec/api-spec.json`, both relative to the workspace root. With
//! `--check` nothing is written: the exit status says whether the file is
//! up to date.

use std::path::PathBuf;
use std::process::ExitCode;

use spec::RouteClass;
use spec::document::Document;
use spec::generate;

const USAGE: &str = "usage: spec-gen [--catalogs DIR] [--out FILE] [--check]";

struct Args {
    catalogs: PathBuf,
    out: PathBuf,
    check: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        catalogs: generate::default_catalog_dir(),
        out: generate::default_spec_path(),
        check: false,
    };
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--catalogs" => args.catalogs = argv.next().ok_or(USAGE)?.into(),
            "--out" => args.out = argv.next().ok_or(USAGE)?.into(),
            "--check" => args.check = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn summary(doc: &Document) -> String {
    let mut out = format!(
        "{} entries, {} namespaces;",
        doc.entries.len(),
        doc.namespaces.len()
    );
    for info in &doc.releases {
        out.push_str(&format!(" {} {},", info.release, info.entries));
    }
    out.push_str(&format!(
        " {} routing overrides\nroute classes:",
        generate::routing::OVERRIDES.len()
    ));
    for class in RouteClass::ALL {
        let n = doc
            .entries
            .iter()
            .filter(|e| e.route.class == class)
            .count();
        out.push_str(&format!(" {class:?} {n}"));
    }
    out
}

fn run() -> Result<ExitCode, String> {
    let args = parse_args()?;
    let doc = generate::generate(&args.catalogs).map_err(|e| e.to_string())?;
    let json = doc.to_json();
    eprintln!("{}", summary(&doc));
    let current = std::fs::read_to_string(&args.out).ok();
    if args.check {
        return Ok(if current.as_deref() == Some(json.as_str()) {
            eprintln!("{} is up to date", args.out.display());
            ExitCode::SUCCESS
        } else {
            eprintln!("{} is stale: run spec-gen", args.out.display());
            ExitCode::FAILURE
        });
    }
    std::fs::write(&args.out, json)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("spec-gen: {message}");
            ExitCode::FAILURE
        }
    }
}
