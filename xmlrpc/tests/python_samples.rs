//! Wire samples written by Python's `xmlrpc.client` (see
//! `fixtures/gen_python_samples.py`): we parse each to exactly what Python
//! decodes, and Python decodes our re-encoding exactly as the original.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde_json::Value as Json;
use xmlrpc::{
    Fault, Limits, MethodCall, Struct, Value, encode_call, encode_fault, encode_response,
    parse_call, parse_response,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every sample: name, the XML, the expected document in typed JSON.
fn samples() -> Vec<(String, Vec<u8>, Json)> {
    let dir = fixtures().join("python");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".xml").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 20, "fixtures missing: {}", dir.display());
    names
        .into_iter()
        .map(|name| {
            let xml = std::fs::read(dir.join(format!("{name}.xml"))).unwrap();
            let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            (name, xml, serde_json::from_str(&json).unwrap())
        })
        .collect()
}

/// A typed JSON value (the generator's format) as a `Value`.
fn value(j: &Json) -> Value {
    let obj = j.as_object().unwrap();
    // A double carries "bits" beside "double"; every other kind is alone.
    let kind = if obj.contains_key("double") {
        "double"
    } else {
        obj.keys().next().unwrap()
    };
    let v = &obj[kind];
    match kind {
        "int" => Value::Int(i32::try_from(v.as_i64().unwrap()).unwrap()),
        "bool" => Value::Bool(v.as_bool().unwrap()),
        "string" => Value::String(v.as_str().unwrap().to_owned()),
        "nil" => Value::Nil,
        "double" => {
            let bits = j["bits"].as_str().unwrap();
            Value::Double(f64::from_bits(u64::from_str_radix(bits, 16).unwrap()))
        }
        "datetime" => Value::DateTime(v.as_str().unwrap().to_owned()),
        "base64" => Value::Base64(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap())
                .unwrap(),
        ),
        "array" => Value::Array(v.as_array().unwrap().iter().map(value).collect()),
        "struct" => Value::Struct(
            v.as_array()
                .unwrap()
                .iter()
                .map(|m| (m[0].as_str().unwrap().to_owned(), value(&m[1])))
                .collect::<Struct>(),
        ),
        other => panic!("unknown kind {other}"),
    }
}

/// What a sample parses to with our codec, re-encoded with our codec.
enum Parsed {
    Call(MethodCall),
    Response(Value),
    Fault(Fault),
}

fn parse(name: &str, xml: &[u8]) -> Parsed {
    if name.starts_with("call_") {
        Parsed::Call(parse_call(xml, &Limits::REQUEST).unwrap_or_else(|e| panic!("{name}: {e}")))
    } else {
        match parse_response(xml, &Limits::RESPONSE).unwrap_or_else(|e| panic!("{name}: {e}")) {
            Ok(v) => Parsed::Response(v),
            Err(f) => Parsed::Fault(f),
        }
    }
}

fn encode(parsed: &Parsed) -> Vec<u8> {
    match parsed {
        Parsed::Call(c) => encode_call(c),
        Parsed::Response(v) => encode_response(v),
        Parsed::Fault(f) => encode_fault(f),
    }
}

fn check(name: &str, parsed: &Parsed, want: &Json) {
    match (want["kind"].as_str().unwrap(), parsed) {
        ("call", Parsed::Call(call)) => {
            assert_eq!(call.name, want["method"].as_str().unwrap(), "{name}");
            let params: Vec<Value> = want["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(value)
                .collect();
            assert_eq!(call.params.len(), params.len(), "{name}");
            for (got, want) in call.params.iter().zip(&params) {
                assert!(got.wire_eq(want), "{name}: {got:?} != {want:?}");
            }
        }
        ("response", Parsed::Response(v)) => {
            let want = value(&want["value"]);
            assert!(v.wire_eq(&want), "{name}: {v:?} != {want:?}");
        }
        ("fault", Parsed::Fault(f)) => {
            let code = i32::try_from(want["code"].as_i64().unwrap()).unwrap();
            assert_eq!(
                f,
                &Fault::new(code, want["string"].as_str().unwrap()),
                "{name}"
            );
        }
        (kind, _) => panic!("{name}: parsed to the wrong kind of document, expected {kind}"),
    }
}

#[test]
fn we_read_python_samples_as_python_does() {
    for (name, xml, want) in samples() {
        let parsed = parse(&name, &xml);
        check(&name, &parsed, &want);
        // Our own encoding reads back to the same.
        let again = parse(&name, &encode(&parsed));
        check(&name, &again, &want);
    }
}

#[test]
fn python_reads_our_encoding_as_the_original() {
    let cases: Vec<Json> = samples()
        .iter()
        .map(|(name, xml, _)| {
            let ours = String::from_utf8(encode(&parse(name, xml))).unwrap();
            serde_json::json!({ "name": name, "xml": ours })
        })
        .collect();
    let mut child = Command::new("python3")
        .arg(fixtures().join("python_loads_check.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is required for this test");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "python disagrees:\n{report}");
    assert!(
        report.contains(&format!("{} samples equal, 0 differ", cases.len())),
        "{report}"
    );
}
