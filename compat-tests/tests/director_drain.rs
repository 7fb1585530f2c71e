//! Black box: three simulated nodes registered with the real `director`
//! binary, a fleet of simulated clients checking in as the client agent
//! will; draining a node moves every one of its clients, each keeping its
//! cluster system id. Two `gateway` processes linked to the director
//! (`[director]`, its gateway API) serve one session and the director's
//! cluster ids, and a drained node's systems answer from their new owner.
//! When the drained node comes back, `gateway seed-node` gives it what was
//! broadcast while it was away. A change a staged node refuses is listed by
//! method in `director node follows`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use compat_tests::fleet::{Fleet, FleetConfig, Round};
use compat_tests::harness::{RpcClient, Running, linked_gateway};
use serde_json::{Value, json};

const ADMIN: &str = "admin-token-for-tests";
const CLIENT: &str = "client-token-for-tests";
const NODE: &str = "node-token-for-tests";
const GATEWAY: &str = "gateway-token-for-tests";
const CLIENTS: usize = 240;
const DIRECTOR: &str = env!("CARGO_BIN_EXE_cluster-director");
const GATEWAY_BIN: &str = env!("CARGO_BIN_EXE_cluster-gateway");

struct Cluster {
    dir: tempfile::TempDir,
    _sims: Vec<Running>,
    director: Running,
    sim_urls: HashMap<String, String>,
    http: reqwest::Client,
}

impl Cluster {
    async fn start() -> Cluster {
        let sim_bin = Path::new(env!("CARGO_BIN_EXE_uyuni-sim"));
        let mut sims = Vec::new();
        let mut sim_urls = HashMap::new();
        for i in 1..=3 {
            let name = format!("n{i}");
            let sim = Running::start(sim_bin, &["--systems", "0", "--name", &name])
                .expect("simulator starts");
            sim_urls.insert(name, sim.base_url.clone());
            sims.push(sim);
        }
        let dir = tempfile::tempdir().unwrap();
        for (file, token) in [
            ("admin", ADMIN),
            ("client", CLIENT),
            ("node", NODE),
            ("gateway", GATEWAY),
        ] {
            std::fs::write(dir.path().join(file), token).unwrap();
        }
        let config = format!(
            r#"listen = "127.0.0.1:0"
[store]
engine = "redb"
path = "{dir}/director.redb"
[cluster]
tick = 0.1
max_moves_in_flight = 1000
move_timeout = 30
[auth]
admin_token_file = "{dir}/admin"
client_token_file = "{dir}/client"
node_token_file = "{dir}/node"
gateway_token_file = "{dir}/gateway"
"#,
            dir = dir.path().display()
        );
        let config_path = dir.path().join("director.toml");
        std::fs::write(&config_path, config).unwrap();
        let director = Running::start(
            Path::new(DIRECTOR),
            &["serve", "--config", config_path.to_str().unwrap()],
        )
        .expect("director starts");
        Cluster {
            dir,
            _sims: sims,
            director,
            sim_urls,
            http: reqwest::Client::new(),
        }
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.director.base_url))
            .bearer_auth(ADMIN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }

    /// A one-off `gateway` task (`seed-node`, `carry-systems`) with
    /// `args`, linked to this director, logging into the simulators as
    /// their administrator.
    fn gateway_task(&self, args: &[&str]) -> Command {
        let mut command = Command::new(GATEWAY_BIN);
        command
            .args(["--director", &self.director.base_url])
            .args(args)
            .env("GATEWAY_DIRECTOR_TOKEN", GATEWAY)
            .env("GATEWAY_SEED_PASSWORD", "admin");
        command
    }

    /// The `director` CLI with `args`, against this director as admin.
    fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(DIRECTOR)
            .args(["--url", &self.director.base_url])
            .args(args)
            .env("DIRECTOR_ADMIN_TOKEN", ADMIN)
            .output()
            .unwrap()
    }

    /// Zone `default`, which the nodes join.
    async fn default_zone(&self) {
        self.admin(
            reqwest::Method::POST,
            "/zones",
            Some(json!({"name": "default", "description": "test zone"})),
        )
        .await;
    }

    /// A gateway process linked to the director, in zone `default`.
    fn gateway(&self, name: &str) -> (Running, RpcClient) {
        let gateway = linked_gateway(
            Path::new(GATEWAY_BIN),
            &self.director.base_url,
            GATEWAY,
            self.dir.path(),
            name,
        );
        let rpc = RpcClient::new(gateway.rpc_url());
        (gateway, rpc)
    }

    fn fleet(&self) -> Fleet {
        Fleet::new(
            FleetConfig {
                director_url: self.director.base_url.clone(),
                client_token: CLIENT.into(),
                node_token: NODE.into(),
                nodes: self.sim_urls.clone(),
                concurrency: 16,
            },
            "web",
            CLIENTS,
        )
    }

    /// Lets the fleet check in until operation `op_id` (a drain or a
    /// rebalance) is done, each round what the fleet's agents would do at
    /// their next check-in; the moves they carried out.
    async fn follow(&self, fleet: &Fleet, op_id: u64) -> usize {
        let started = Instant::now();
        let mut moved = 0;
        loop {
            moved += fleet.round().await.unwrap().moved;
            let op = self
                .admin(reqwest::Method::GET, &format!("/operations/{op_id}"), None)
                .await;
            if op["state"] == "done" {
                return moved;
            }
            assert_ne!(op["state"], "failed", "{op}");
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "operation {op_id} did not finish: {op}"
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Growing the cluster: the fleet on active nodes n1 and n2, then n3
    /// added and a rebalance onto it followed to its end, the old nodes
    /// keeping the copies the moves left (nodectl's default). The fleet's
    /// rounds before and after.
    async fn rebalanced_onto_n3() -> (Cluster, Fleet, Round, Round) {
        let cluster = Cluster::start().await;
        cluster.default_zone().await;
        cluster.add_node("n1", "active").await;
        cluster.add_node("n2", "active").await;
        let fleet = cluster.fleet().keeping_old_copies();
        let first = fleet.round().await.unwrap();
        cluster.add_node("n3", "active").await;
        let op = cluster
            .admin(reqwest::Method::POST, "/rebalance", None)
            .await;
        cluster.follow(&fleet, op["id"].as_u64().unwrap()).await;
        let after = fleet.round().await.unwrap();
        (cluster, fleet, first, after)
    }

    /// Registers simulated node `node` with the director in `state`.
    async fn add_node(&self, node: &str, state: &str) {
        let url = &self.sim_urls[node];
        self.admin(
            reqwest::Method::POST,
            "/nodes",
            Some(json!({"id": node, "zone": "default", "api_url": format!("{url}/rpc/api"), "master": format!("{node}.sim.test"), "state": state, "unseeded": true})),
        )
        .await;
    }

    /// What simulated node `node` answers at its side endpoint `path`.
    async fn sim_side(&self, node: &str, path: &str) -> Value {
        self.http
            .get(format!("{}/uyuni-sim/v1/{path}", self.sim_urls[node]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn sim_systems(&self, node: &str) -> u64 {
        self.sim_side(node, "info").await["systems"]
            .as_u64()
            .unwrap()
    }

    /// A minion's id on a simulated node.
    async fn local_id(&self, node: &str, minion: &str) -> i32 {
        let info = self.sim_side(node, &format!("minions/{minion}")).await;
        info["id"].as_i64().unwrap() as i32
    }
}

#[tokio::test]
async fn draining_a_node_moves_every_client_and_keeps_cluster_ids() {
    let cluster = Cluster::start().await;
    cluster.default_zone().await;
    for node in ["n1", "n2", "n3"] {
        cluster.add_node(node, "active").await;
    }

    let fleet = cluster.fleet();
    let first = fleet.round().await.unwrap();
    assert_eq!(
        first.registered, CLIENTS,
        "every client registered on its node"
    );
    let before: HashMap<String, (i32, String)> = first
        .assignments
        .values()
        .map(|a| (a.minion_id.clone(), (a.cluster_id, a.node.clone().unwrap())))
        .collect();
    let on_n1: Vec<&String> = before
        .iter()
        .filter(|(_, (_, n))| n == "n1")
        .map(|(m, _)| m)
        .collect();
    assert!(
        on_n1.len() > CLIENTS / 5,
        "n1 holds its share: {}",
        on_n1.len()
    );
    assert_eq!(cluster.sim_systems("n1").await, on_n1.len() as u64);
    for node in ["n1", "n2", "n3"] {
        let held = before.values().filter(|(_, n)| n == node).count() as f64;
        assert!(
            held <= (CLIENTS as f64 / 3.0 * 1.1).ceil(),
            "bounded load on {node}: {held}"
        );
    }

    // Two gateway processes on the director's store: a session opened on
    // one serves on the other, and both show the director's cluster ids.
    let (_gw_a, rpc_a) = cluster.gateway("gateway-a");
    let (_gw_b, rpc_b) = cluster.gateway("gateway-b");
    let key: xmlrpc::Value = rpc_a.login("admin", "admin").await.unwrap().into();
    let director_ids: HashSet<i64> = before.values().map(|(id, _)| i64::from(*id)).collect();
    for rpc in [&rpc_a, &rpc_b] {
        assert_eq!(
            listed_ids(rpc, &key).await,
            director_ids,
            "every gateway lists the director's cluster ids"
        );
    }

    let op = cluster
        .admin(
            reqwest::Method::POST,
            "/nodes/n1/drain",
            Some(json!({"deadline_secs": 120})),
        )
        .await;
    let op_id = op["id"].as_u64().unwrap();
    assert_eq!(op["total"].as_u64().unwrap(), on_n1.len() as u64);

    let moved = cluster.follow(&fleet, op_id).await;
    assert_eq!(moved, on_n1.len());

    let after = fleet.round().await.unwrap();
    for (minion, (cluster_id, node)) in &before {
        let now = &after.assignments[minion];
        assert_eq!(now.cluster_id, *cluster_id, "{minion} kept its cluster id");
        if node == "n1" {
            assert!(
                matches!(now.node.as_deref(), Some("n2" | "n3")),
                "{minion} moved off n1: {:?}",
                now.node
            );
        } else {
            assert_eq!(now.node.as_ref(), Some(node), "{minion} stayed put");
        }
        let placement = cluster
            .admin(
                reqwest::Method::GET,
                &format!("/placement/systems/{cluster_id}"),
                None,
            )
            .await;
        assert_eq!(placement["node"].as_str(), now.node.as_deref());
        assert!(placement["local_id"].as_i64().is_some(), "{placement}");
    }
    assert_eq!(
        cluster.sim_systems("n1").await,
        0,
        "n1 released every client"
    );
    assert_eq!(
        cluster.sim_systems("n2").await + cluster.sim_systems("n3").await,
        CLIENTS as u64
    );
    let node = cluster.admin(reqwest::Method::GET, "/nodes/n1", None).await;
    assert_eq!(node["state"], "offline");

    // Through the gateways, n1's systems answer from their new owners
    // under the ids they had; the listing is unchanged.
    for (i, minion) in on_n1.iter().enumerate() {
        let (cluster_id, _) = before[*minion];
        let rpc = if i % 2 == 0 { &rpc_a } else { &rpc_b };
        let details = rpc
            .call("system.getDetails", vec![key.clone(), cluster_id.into()])
            .await
            .unwrap_or_else(|e| panic!("{minion} ({cluster_id}) after the drain: {e}"));
        assert_eq!(
            member(&details, "id").and_then(xmlrpc::Value::as_i64),
            Some(i64::from(cluster_id)),
            "{minion}"
        );
        assert_eq!(
            member(&details, "minion_id").and_then(xmlrpc::Value::as_str),
            Some(minion.as_str())
        );
    }
    assert_eq!(listed_ids(&rpc_b, &key).await, director_ids);

    // The CLI shows the same over the admin API.
    let out = cluster.cli(&["--output", "json", "status"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["clients"].as_u64(), Some(CLIENTS as u64));
    let n1 = status["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "n1")
        .unwrap();
    assert_eq!(n1["clients"].as_u64(), Some(0));

    // n1 comes back. An activation key made while it was away reached n2
    // and n3 only: `gateway seed-node` copies it onto n1 before n1 is
    // staged, so a broadcast after n1 serves again finds it on every node.
    let made = create_key(&rpc_a, &key, "returning", "Made while n1 was away").await;
    assert_eq!(made.as_str(), Some("1-returning"));
    // So did a repository.
    rpc_a
        .call(
            "channel.software.createRepo",
            vec![
                key.clone(),
                "returning-repo".into(),
                "yum".into(),
                "https://repo.example.test/returning".into(),
            ],
        )
        .await
        .unwrap();
    let n1_rpc = RpcClient::new(format!("{}/rpc/api", cluster.sim_urls["n1"]));
    let n1_key: xmlrpc::Value = n1_rpc.login("admin", "admin").await.unwrap().into();
    let on_n1 = async || {
        n1_rpc
            .call(
                "activationkey.getDetails",
                vec![n1_key.clone(), "1-returning".into()],
            )
            .await
            .is_ok()
    };
    assert!(!on_n1().await, "n1 was away when the key was made");
    // The director refuses to stage n1 before a seed-node run with
    // --update --prune (n1 is back from offline), says how, and after one, to
    // activate it before a second run while staged.
    let set_state = |state: &str| cluster.cli(&["node", "set", "n1", "--state", state]);
    // `gateway seed-node` from n2 to `to`, with `flags`.
    let seed_node = |to: &str, flags: &[&str]| {
        let mut command = cluster.gateway_task(&["seed-node", "--from", "n2", "--to", to]);
        command.args(flags);
        command
    };
    let seed = || report_of(seed_node("n1", &["--update", "--prune"]));
    // Onto a node that serves, --update and --prune would race its
    // broadcasts: refused before anything is done.
    let racing = seed_node("n3", &["--prune"]).output().unwrap();
    let why = String::from_utf8_lossy(&racing.stderr);
    assert!(
        !racing.status.success() && why.contains("n3 is active: --update and --prune would race"),
        "{why}"
    );
    let refused = set_state("staged");
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && why.contains("no seed-node run with --update --prune since it became offline")
            && why.contains("gateway seed-node --from n2 --to n1 --update --prune"),
        "{why}"
    );
    let report = seed();
    for item in [
        "activation key         1-returning",
        "repository             returning-repo",
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("created") && l.ends_with(item)),
            "{report}"
        );
    }
    assert!(
        report.contains("recorded by the director: n1 may be staged now"),
        "{report}"
    );
    assert!(on_n1().await, "seeded onto n1");
    let staged = set_state("staged");
    assert!(
        staged.status.success(),
        "{}",
        String::from_utf8_lossy(&staged.stderr)
    );
    let refused = set_state("active");
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && why.contains("no seed-node run with --update --prune since it was staged"),
        "{why}"
    );
    // A run that writes to n1 while a change is queued for it may write
    // an older copy over that change: not counted. Here it brings a key
    // n1 alone changed back in line, and a key is made meanwhile (while
    // the run waits for the gateways to see n1 staged).
    n1_rpc
        .call(
            "activationkey.setDetails",
            vec![
                n1_key.clone(),
                "1-returning".into(),
                xmlrpc::Value::Struct(
                    [(
                        "description".to_owned(),
                        xmlrpc::Value::from("changed on n1 alone"),
                    )]
                    .into_iter()
                    .collect(),
                ),
            ],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut racing = seed_node("n1", &["--update", "--prune"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = racing.stderr.take().unwrap();
    let waiting = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stderr);
        let mut seen = String::new();
        let mut line = String::new();
        while lines.read_line(&mut line).unwrap_or(0) > 0 {
            seen.push_str(&line);
            if line.contains("n1 is staged: waiting") {
                break;
            }
            line.clear();
        }
        (seen, lines)
    });
    let (mut seen, mut rest) = tokio::task::spawn_blocking(move || waiting.join().unwrap())
        .await
        .unwrap();
    assert!(seen.contains("n1 is staged: waiting"), "{seen}");
    create_key(&rpc_b, &key, "during", "Made while n1 was being seeded").await;
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        rest.read_to_string(&mut seen).unwrap();
        (racing.wait_with_output().unwrap(), seen)
    })
    .await
    .unwrap();
    let (racing, why) = out;
    let report = String::from_utf8_lossy(&racing.stdout);
    assert!(
        !racing.status.success()
            && report.contains("updated        activation key         1-returning")
            && why.contains("1 change(s) of shared data were queued for n1 while this run wrote")
            && why.contains("The director does not count this run: run it again"),
        "{report}{why}"
    );
    let refused = set_state("active");
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && why.contains("no seed-node run with --update --prune since it was staged"),
        "{why}"
    );
    // A second run carries what changed before the gateways saw n1 staged
    // (it waits until they do: they read the node list every second).
    let report = seed();
    assert!(
        report.contains("present        activation key         1-returning")
            && report.contains("present        activation key         1-during")
            && report.contains("recorded by the director: n1 may be activated now"),
        "{report}"
    );
    let active = set_state("active");
    assert!(
        active.status.success(),
        "{}",
        String::from_utf8_lossy(&active.stderr)
    );
    // The gateways read the node list every second.
    tokio::time::sleep(Duration::from_secs(3)).await;
    rpc_b
        .call(
            "activationkey.delete",
            vec![key.clone(), "1-returning".into()],
        )
        .await
        .unwrap();
    assert!(!on_n1().await, "the broadcast delete reached n1");
}

/// Growing the cluster: a rebalance moves clients onto a new node while
/// their old nodes keep serving with the copies they left (nodectl runs no
/// `release-minion` nanostate by default). Through the gateway each
/// system is listed once, under the director's cluster id, and its calls
/// reach the new node; a deleted old copy is forgotten.
#[tokio::test]
async fn a_rebalance_leaves_old_copies_the_gateway_neither_lists_nor_routes_to() {
    let (cluster, fleet, first, after) = Cluster::rebalanced_onto_n3().await;
    assert_eq!(first.registered, CLIENTS);
    let director_ids: HashSet<i64> = first
        .assignments
        .values()
        .map(|a| i64::from(a.cluster_id))
        .collect();
    let moved: Vec<(&String, i32, String)> = first
        .assignments
        .iter()
        .filter(|(m, _)| after.assignments[*m].node.as_deref() == Some("n3"))
        .map(|(m, a)| (m, a.cluster_id, a.node.clone().unwrap()))
        .collect();
    assert!(
        moved.len() > CLIENTS / 5,
        "n3 took its share: {}",
        moved.len()
    );
    assert_eq!(
        cluster.sim_systems("n1").await + cluster.sim_systems("n2").await,
        CLIENTS as u64,
        "the old nodes keep their copies"
    );
    assert_eq!(cluster.sim_systems("n3").await, moved.len() as u64);

    // Each system once, under the director's id; none of the old copies.
    let (_gateway, rpc) = cluster.gateway("gateway-a");
    let key: xmlrpc::Value = rpc.login("admin", "admin").await.unwrap().into();
    let listed = listed_id_list(&rpc, &key).await;
    assert_eq!(listed.len(), CLIENTS, "each system listed once");
    assert_eq!(listed.into_iter().collect::<HashSet<_>>(), director_ids);

    // A change to a moved system reaches its new node, not the copy.
    let sim_rpc = |node: &str| RpcClient::new(format!("{}/rpc/api", cluster.sim_urls[node]));
    for (minion, cluster_id, old) in moved.iter().take(3) {
        rpc.call(
            "system.setDetails",
            vec![
                key.clone(),
                (*cluster_id).into(),
                xmlrpc::Value::Struct(
                    xmlrpc::Struct::new().with("description", xmlrpc::Value::string("moved")),
                ),
            ],
        )
        .await
        .unwrap();
        for (node, changed) in [("n3", true), (old.as_str(), false)] {
            let sim = sim_rpc(node);
            let sim_key: xmlrpc::Value = sim.login("admin", "admin").await.unwrap().into();
            let local = cluster.local_id(node, minion).await;
            let details = sim
                .call("system.getDetails", vec![sim_key, local.into()])
                .await
                .unwrap();
            let description = member(&details, "description").and_then(xmlrpc::Value::as_str);
            assert_eq!(description == Some("moved"), changed, "{minion} on {node}");
        }
    }

    // The old copy of one is deleted at last: the director forgets it.
    let (minion, cluster_id, old) = &moved[0];
    let placement_path = format!("/placement/systems/{cluster_id}");
    let placement = cluster
        .admin(reqwest::Method::GET, &placement_path, None)
        .await;
    assert_eq!(placement["node"], "n3");
    assert_eq!(
        placement["left_copies"][old.as_str()].as_i64(),
        Some(i64::from(cluster.local_id(old, minion).await)),
        "{placement}"
    );
    let client = fleet
        .clients
        .iter()
        .find(|c| &c.minion_id == *minion)
        .unwrap();
    let record = cluster
        .admin(reqwest::Method::GET, &format!("/clients/{minion}"), None)
        .await;
    assert!(record["local_ids"][old.as_str()].is_i64(), "{record}");
    fleet.delete_old_copy(client, old).await.unwrap();
    let record = cluster
        .admin(reqwest::Method::GET, &format!("/clients/{minion}"), None)
        .await;
    assert!(record["local_ids"].get(old.as_str()).is_none(), "{record}");
    assert!(record["local_ids"]["n3"].is_i64(), "{record}");
    let placement = cluster
        .admin(reqwest::Method::GET, &placement_path, None)
        .await;
    assert_eq!(placement["left_copies"], json!({}), "{placement}");
}

/// After a rebalance, `gateway carry-systems --delete-copies` carries each
/// moved system's own settings from its old copy and deletes the copy, once
/// the director's identity map confirms a move left it; the director
/// forgets the copies at once. Kept, and said why: the copy of a system
/// registered on the new node by hand (the director places it on its old
/// node), the copy of one whose minion went back to its old node (a
/// check-in there after its last one with the new node), and the copy of
/// one carried by an earlier run that holds what was set on it since.
#[tokio::test]
async fn carry_systems_deletes_the_copies_moves_left_once_carried() {
    let (cluster, fleet, first, after) = Cluster::rebalanced_onto_n3().await;
    let went = |from: &str, to: &str| -> Vec<(&String, i32)> {
        first
            .assignments
            .iter()
            .filter(|(m, a)| {
                a.node.as_deref() == Some(from) && after.assignments[*m].node.as_deref() == Some(to)
            })
            .map(|(m, a)| (m, a.cluster_id))
            .collect()
    };
    let mut moved = went("n1", "n3");
    assert!(moved.len() > 2, "n3 took systems off n1: {}", moved.len());
    let stayed = went("n1", "n1")[0].0.clone();

    // A note on one old copy, which the carry gives its new copy.
    let sim_rpc = |node: &str| RpcClient::new(format!("{}/rpc/api", cluster.sim_urls[node]));
    let (n1, n3) = (sim_rpc("n1"), sim_rpc("n3"));
    let n1_key: xmlrpc::Value = n1.login("admin", "admin").await.unwrap().into();
    let n3_key: xmlrpc::Value = n3.login("admin", "admin").await.unwrap().into();
    let (noted, _) = moved.remove(0);
    let note_on_n1 = async |subject: &str, text: &str| {
        n1.call(
            "system.addNote",
            vec![
                n1_key.clone(),
                cluster.local_id("n1", noted).await.into(),
                subject.into(),
                text.into(),
            ],
        )
        .await
        .unwrap();
    };
    note_on_n1("Rack", "r42, slot 3").await;
    // A system of n1 the director never moved, registered on n3 by hand.
    let client = |minion: &str| {
        fleet
            .clients
            .iter()
            .find(|c| c.minion_id == minion)
            .unwrap()
    };
    fleet.register_by_hand(client(&stayed), "n3").await.unwrap();
    // A moved minion that registers with its old node again (by hand,
    // its agent's report not in yet), a second after its move.
    let (back, _) = moved.pop().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = client(back);
    cluster
        .http
        .post(format!("{}/uyuni-sim/v1/systems", cluster.sim_urls["n1"]))
        .json(&json!({
            "minion_id": again.minion_id,
            "machine_id": again.machine_id,
            "hostname": again.minion_id,
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let on_n1 = cluster.sim_systems("n1").await;

    let carry = |flags: &[&str]| {
        let mut command = cluster.gateway_task(&["carry-systems", "--from", "n1", "--to", "n3"]);
        command.args(flags);
        report_of(command)
    };
    // The line on `minion`'s old copy.
    let line = |report: &str, minion: &str| -> String {
        report
            .lines()
            .find(|l| l.contains("old copy") && l.contains(&format!(" {minion} on n1")))
            .unwrap_or_else(|| panic!("no line on {minion}'s copy: {report}"))
            .to_owned()
    };
    let kept = |report: &str, minion: &str, why: &str| {
        let line = line(report, minion);
        assert!(
            line.starts_with("kept ") && line.contains(why),
            "{minion}: {line}"
        );
    };

    // A first run carries the note (and marks the system carried); a
    // note set on the old copy after it is what a later run finds lacking.
    let first_run = carry(&[]);
    assert!(
        first_run
            .lines()
            .any(|l| l.starts_with("completed ") && l.contains(noted.as_str())),
        "{first_run}"
    );
    note_on_n1("Moved rack", "r7").await;

    // A dry run deletes nothing.
    let report = carry(&["--delete-copies", "--dry-run"]);
    for (minion, _) in &moved {
        assert!(
            line(&report, minion).starts_with("would remove "),
            "{report}"
        );
    }
    assert_eq!(cluster.sim_systems("n1").await, on_n1);

    let report = carry(&["--delete-copies"]);
    for (minion, _) in &moved {
        assert!(line(&report, minion).starts_with("removed "), "{report}");
    }
    kept(
        &report,
        noted,
        "it was carried before, but its new copy lacks what this one has (note Moved rack)",
    );
    kept(
        &report,
        &stayed,
        "the director places the system on node n1, not on n3 where it registered",
    );
    kept(&report, back, "after its last check-in with n3 at ");
    assert_eq!(
        cluster.sim_systems("n1").await,
        on_n1 - moved.len() as u64,
        "{report}"
    );
    // The note reached the new copy before the old one went.
    let notes = n3
        .call(
            "system.listNotes",
            vec![n3_key, cluster.local_id("n3", noted).await.into()],
        )
        .await
        .unwrap();
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| member(n, "note").and_then(xmlrpc::Value::as_str) == Some("r42, slot 3")),
        "{notes:?}"
    );
    // The director forgot the copies at once.
    for (minion, cluster_id) in &moved {
        let placement = cluster
            .admin(
                reqwest::Method::GET,
                &format!("/placement/systems/{cluster_id}"),
                None,
            )
            .await;
        assert_eq!(placement["node"], "n3");
        assert!(
            placement["left_copies"].get("n1").is_none(),
            "{minion}: {placement}"
        );
        let record = cluster
            .admin(reqwest::Method::GET, &format!("/clients/{minion}"), None)
            .await;
        assert!(record["local_ids"].get("n1").is_none(), "{record}");
    }
}

/// A change a staged node refuses is counted against it, and named: `director
/// node follows` lists the missed changes by method (written by a linked
/// gateway through the director's gateway API), and `director node
/// forget-missed` clears them without touching the count the director
/// compares.
#[tokio::test]
async fn a_staged_node_s_missed_changes_are_listed_by_method() {
    let cluster = Cluster::start().await;
    cluster.default_zone().await;
    for (node, state) in [("n1", "active"), ("n2", "active"), ("n3", "staged")] {
        cluster.add_node(node, state).await;
    }
    // n3 holds a key of that name already: it refuses the change.
    let n3 = RpcClient::new(format!("{}/rpc/api", cluster.sim_urls["n3"]));
    let n3_key: xmlrpc::Value = n3.login("admin", "admin").await.unwrap().into();
    create_key(&n3, &n3_key, "clash", "Made on n3 alone").await;
    let (_gateway, rpc) = cluster.gateway("gateway-missed");
    let key: xmlrpc::Value = rpc.login("admin", "admin").await.unwrap().into();
    let made = create_key(&rpc, &key, "clash", "Made through the gateway").await;
    assert_eq!(made.as_str(), Some("1-clash"));

    let director = |args: &[&str]| {
        let out = cluster.cli(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let missed = || -> Value {
        let shown: Value =
            serde_json::from_str(&director(&["node", "follows", "n3", "--output", "json"]))
                .unwrap();
        shown["missed_calls"].clone()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while missed() == json!([]) {
        assert!(Instant::now() < deadline, "no missed call recorded for n3");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rows = missed();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(
        (&rows[0]["method"], &rows[0]["count"]),
        (&json!("activationkey.create"), &json!(1)),
        "{rows}"
    );
    let text = director(&["node", "follows", "n3"]);
    assert!(
        text.contains("n3 missed 1 change(s) of shared data while it was staged or failed")
            && text.contains("activationkey.create"),
        "{text}"
    );

    let through = rows[0]["last"].as_i64().unwrap().to_string();
    assert!(
        text.contains(&format!(
            "`director node forget-missed n3 --through {through}`"
        )),
        "{text}"
    );
    let cleared = director(&["node", "forget-missed", "n3", "--through", &through]);
    assert!(
        cleared.starts_with("1 missed change(s) of n3 cleared:")
            && cleared.contains("activationkey.create"),
        "{cleared}"
    );
    assert_eq!(missed(), json!([]));
    let status = cluster.admin(reqwest::Method::GET, "/status", None).await;
    let n3_status = status["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "n3")
        .unwrap();
    assert_eq!(n3_status["missed_changes"], 1, "{n3_status}");
}

/// `activationkey.create` of a key named `name`, with no entitlements.
async fn create_key(
    rpc: &RpcClient,
    key: &xmlrpc::Value,
    name: &str,
    description: &str,
) -> xmlrpc::Value {
    rpc.call(
        "activationkey.create",
        vec![
            key.clone(),
            name.into(),
            description.into(),
            "".into(),
            xmlrpc::Value::Array(Vec::new()),
            false.into(),
        ],
    )
    .await
    .unwrap()
}

/// The ids `system.listSystems` answers through `rpc`.
async fn listed_ids(rpc: &RpcClient, key: &xmlrpc::Value) -> HashSet<i64> {
    listed_id_list(rpc, key).await.into_iter().collect()
}

/// The ids `system.listSystems` answers, in its order.
async fn listed_id_list(rpc: &RpcClient, key: &xmlrpc::Value) -> Vec<i64> {
    let listed = rpc
        .call("system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| member(s, "id").and_then(xmlrpc::Value::as_i64).unwrap())
        .collect()
}

/// What `command` (a gateway task) printed, once it succeeded.
fn report_of(mut command: Command) -> String {
    let out = command.output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

fn member<'a>(v: &'a xmlrpc::Value, name: &str) -> Option<&'a xmlrpc::Value> {
    v.as_struct()?.get(name)
}
