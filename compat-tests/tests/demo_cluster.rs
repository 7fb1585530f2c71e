//! Black box: the demo binary (director, gateway and simulated nodes in
//! one process). An XML-RPC client sees one SUSE Manager; another gateway
//! process joins with the banner's gateway token and serves the same
//! session; draining a node through the director moves its systems, and
//! calls on them reach their new owner under the same cluster system ids.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use compat_tests::fleet::{Fleet, FleetConfig, SimClient};
use compat_tests::harness::{RpcClient, linked_gateway};
use serde_json::Value as Json;
use xmlrpc::Value;

const SYSTEMS: usize = 60;

struct Demo {
    child: Child,
    lines: HashMap<String, String>,
    rpc_url: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start() -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--nodes",
                "3",
                "--systems",
                &SYSTEMS.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("demo starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let ready = line.starts_with("gateway listening on ");
                lines.push(line);
                if ready {
                    let _ = tx.send(lines.clone());
                }
            }
        });
        let lines = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the demo announces its gateway");
        let mut found = HashMap::new();
        for line in &lines {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("Director tokens: ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                for pair in words.chunks(2) {
                    found.insert(format!("{}-token", pair[0]), pair[1].to_owned());
                }
            } else if let Some(rest) = line.strip_prefix("Director admin API:") {
                let url = rest.split_whitespace().next().unwrap();
                found.insert(
                    "director".into(),
                    url.trim_end_matches("/api/v1").to_owned(),
                );
            } else if let Some(rest) = line.strip_prefix("node ") {
                let (id, url) = rest.split_once(": ").unwrap();
                found.insert(
                    format!("node:{id}"),
                    url.trim_end_matches("/rpc/api").to_owned(),
                );
            }
        }
        let rpc_url = lines
            .last()
            .unwrap()
            .trim_start_matches("gateway listening on ")
            .to_owned();
        Demo {
            child,
            lines: found,
            rpc_url,
        }
    }

    fn get(&self, key: &str) -> &str {
        self.lines
            .get(key)
            .unwrap_or_else(|| panic!("the banner names {key}: {:?}", self.lines))
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_struct().unwrap().get("id").unwrap().as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn demo_cluster_serves_one_api_and_drains_through_the_director() {
    let demo = Demo::start();
    let rpc = RpcClient::new(&demo.rpc_url);
    let key = rpc.login("admin", "admin").await.unwrap();
    let k = || Value::from(key.as_str());
    let list = rpc.call("system.listSystems", vec![k()]).await.unwrap();
    let before: Vec<i64> = ids(&list);
    assert_eq!(before.len(), 3 * SYSTEMS);
    assert_eq!(
        before.iter().collect::<HashSet<_>>().len(),
        before.len(),
        "unique cluster ids"
    );

    // Another gateway process, linked to the demo's director as the banner
    // says, serves the same session and the same cluster ids.
    let dir = tempfile::tempdir().unwrap();
    let other = linked_gateway(
        std::path::Path::new(env!("CARGO_BIN_EXE_cluster-gateway")),
        demo.get("director"),
        demo.get("gateway-token"),
        dir.path(),
        "other",
    );
    let other_rpc = RpcClient::new(other.rpc_url());
    let listed = other_rpc
        .call("system.listSystems", vec![k()])
        .await
        .unwrap();
    assert_eq!(
        ids(&listed).into_iter().collect::<HashSet<_>>(),
        before.iter().copied().collect::<HashSet<_>>()
    );
    drop(other);

    // Which systems node1 owns, from the director.
    let http = reqwest::Client::new();
    let director = demo.get("director").to_owned();
    let admin = demo.get("admin-token").to_owned();
    let clients: Json = http
        .get(format!("{director}/api/v1/clients?node=node1&limit=10000"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let on_node1: Vec<(String, i64)> = clients
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["minion_id"].as_str().unwrap().to_owned(),
                c["cluster_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(on_node1.len(), SYSTEMS);
    // A Prometheus scraper reads the same with the metrics token (only).
    let scrape = |token: String| {
        http.get(format!("{director}/metrics"))
            .bearer_auth(token)
            .send()
    };
    let refused = scrape(admin.clone()).await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    let metrics = scrape(demo.get("metrics-token").to_owned())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = format!("director_node_clients{{node=\"node1\",zone=\"default\"}} {SYSTEMS}");
    assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    let mut names = HashMap::new();
    for (_, cid) in &on_node1 {
        let d = rpc
            .call("system.getDetails", vec![k(), Value::Int(*cid as i32)])
            .await
            .unwrap();
        names.insert(
            *cid,
            d.as_struct()
                .unwrap()
                .get("profile_name")
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    // Drain node1; the test plays the client agents of its systems (and
    // the node agents reporting their registrations).
    let op: Json = http
        .post(format!("{director}/api/v1/nodes/node1/drain"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op_id = op["id"].as_u64().unwrap();
    let nodes = ["node1", "node2", "node3"]
        .iter()
        .map(|n| (n.to_string(), demo.get(&format!("node:{n}")).to_owned()))
        .collect();
    let fleet = Fleet::with_clients(
        FleetConfig {
            director_url: director.clone(),
            client_token: demo.get("client-token").to_owned(),
            node_token: demo.get("node-token").to_owned(),
            nodes,
            concurrency: 8,
        },
        on_node1
            .iter()
            .map(|(minion, _)| SimClient {
                minion_id: minion.clone(),
                fingerprint: format!("fp-{minion}"),
                machine_id: String::new(),
            })
            .collect(),
    );
    let started = Instant::now();
    loop {
        fleet.round().await.unwrap();
        let op: Json = http
            .get(format!("{director}/api/v1/operations/{op_id}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if op["state"] == "done" {
            break;
        }
        assert_ne!(op["state"], "failed", "{op}");
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "drain did not finish: {op}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Same ids, new owners: calls on the moved systems reach them.
    let after = ids(&rpc.call("system.listSystems", vec![k()]).await.unwrap());
    assert_eq!(
        after.iter().collect::<HashSet<_>>(),
        before.iter().collect::<HashSet<_>>()
    );
    for (minion, cid) in &on_node1 {
        let placement: Json = http
            .get(format!("{director}/api/v1/placement/systems/{cid}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_ne!(placement["node"], "node1", "{minion} moved");
        let d = rpc
            .call("system.getDetails", vec![k(), Value::Int(*cid as i32)])
            .await
            .unwrap();
        let d = d.as_struct().unwrap();
        assert_eq!(
            d.get("id").unwrap().as_i64(),
            Some(*cid),
            "the cluster id is kept"
        );
        assert_eq!(d.get("minion_id").unwrap().as_str(), Some(minion.as_str()));
        assert_eq!(
            d.get("profile_name").unwrap().as_str().map(str::to_owned),
            Some(names[cid].clone())
        );
    }
}
