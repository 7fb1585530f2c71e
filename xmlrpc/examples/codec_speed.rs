//! Rough codec throughput: encodes, parses and scans (the gateway's
//! reading of a fan-out listing, [`scan_response`] picking `id` and
//! `name`) a response holding an array of 50,000 five-member structs (the
//! size of a large `system.listSystems` answer, about 12 MB) and prints
//! MB/s. Not a test: nothing is asserted.
//!
//! Run: `cargo run --release -p xmlrpc --example codec_speed`

use std::time::{Duration, Instant};

use xmlrpc::{Limits, Scanned, Struct, Value, encode_response, parse_response, scan_response};

fn main() {
    let systems: Vec<Value> = (0..50_000)
        .map(|i| {
            Value::Struct(
                Struct::with_capacity(5)
                    .with("id", Value::Int(1_000_010_000 + i))
                    .with("name", Value::string(format!("host-{i:05}.example.com")))
                    .with("last_checkin", Value::DateTime("20240301T12:00:00".into()))
                    .with("created", Value::DateTime("20230101T00:00:00".into()))
                    .with("last_boot", Value::DateTime("20240229T23:59:59".into())),
            )
        })
        .collect();
    let value = Value::Array(systems);

    let rounds = 10u32;
    let mut body = Vec::new();
    let mut encode = Duration::ZERO;
    let mut parse = Duration::ZERO;
    let mut scan = Duration::ZERO;
    for _ in 0..rounds {
        let t = Instant::now();
        body = encode_response(&value);
        encode += t.elapsed();
        let t = Instant::now();
        let back = parse_response(&body, &Limits::RESPONSE).expect("parses");
        parse += t.elapsed();
        assert!(matches!(back, Ok(ref v) if *v == value));
        let t = Instant::now();
        let scanned = scan_response(&body, &Limits::RESPONSE, &["id", "name"]).expect("scans");
        scan += t.elapsed();
        assert!(matches!(scanned, Scanned::Array(ref s) if s.len() == 50_000));
    }
    let mb = body.len() as f64 / 1e6;
    let rate = |d: Duration| mb * f64::from(rounds) / d.as_secs_f64();
    println!("document: {mb:.1} MB, 50,000 structs of 5 members, {rounds} rounds");
    println!("encode:   {:>7.0} MB/s", rate(encode));
    println!("parse:    {:>7.0} MB/s", rate(parse));
    println!("both:     {:>7.0} MB/s", rate(encode + parse));
    println!("scan:     {:>7.0} MB/s", rate(scan));
}
