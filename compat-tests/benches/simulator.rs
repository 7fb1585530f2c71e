//! Simulator throughput (run: `cargo bench -p compat-tests --bench simulator`).
//!
//! `system.listSystems` of 50,000 systems from one simulated node over
//! loopback HTTP, sequentially and with 4 concurrent clients. The baseline,
//! measured in the same run, is the client's own work: parsing the same
//! response bytes with the project's codec. The simulator must not be the
//! bottleneck of the gateway benchmarks, so its time per call is printed as
//! a multiple of that baseline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use compat_tests::sim::{Node, SimConfig};
use xmlrpc::{Limits, MethodCall, Value};

const SYSTEMS: usize = 50_000;
const ROUNDS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let node = Arc::new(Node::new(SimConfig {
        systems: SYSTEMS,
        ..SimConfig::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc/api", listener.local_addr().unwrap());
    tokio::spawn(compat_tests::sim::run(
        node,
        listener,
        std::future::pending(),
    ));

    let http = reqwest::Client::new();
    let call = |params: Vec<Value>, name: &str| {
        xmlrpc::encode_call(&MethodCall {
            name: name.to_owned(),
            params,
        })
    };
    let login = http
        .post(&url)
        .body(call(vec!["admin".into(), "admin".into()], "auth.login"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let key = xmlrpc::parse_response(&login, &Limits::RESPONSE)
        .unwrap()
        .unwrap();
    let body = call(vec![key], "system.listSystems");

    let mut times = Vec::new();
    let mut last = bytes::Bytes::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        last = http
            .post(&url)
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        times.push(t.elapsed());
    }
    let served = median(times);
    let mut parse_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let v = xmlrpc::parse_response(&last, &Limits::RESPONSE)
            .unwrap()
            .unwrap();
        parse_times.push(t.elapsed());
        assert_eq!(v.as_array().map(<[Value]>::len), Some(SYSTEMS));
    }
    let parse = median(parse_times);
    let mb = last.len() as f64 / 1e6;
    println!(
        "listSystems of {SYSTEMS} systems ({mb:.1} MB): {:.1} ms per call over HTTP, {:.0} MB/s; {:.2}x the client-side parse baseline of {:.1} ms",
        served.as_secs_f64() * 1e3,
        mb / served.as_secs_f64(),
        served.as_secs_f64() / parse.as_secs_f64(),
        parse.as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                http.post(&url)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "4 concurrent clients, 20 calls: {:.1} calls/s, {:.0} MB/s served",
        20.0 / secs,
        20.0 * mb / secs
    );
}
