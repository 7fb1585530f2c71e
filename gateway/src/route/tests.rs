//! Router tests: a gateway over in-process simulators (`compat_tests::sim`)
//! on loopback, called through [`Gateway::call`] and, for the HTTP layer,
//! through the router with `oneshot` (no socket on the gateway side).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use compat_tests::sim::{self, SimConfig};
use director::model::{GatewayReach, Keys, Node, NodeState, now_ms};
use director::store::{CasResult, Conflict, Engine, MemoryEngine, Store, StoreError, Txn};
use xmlrpc::{Fault, MethodCall, Value};

use crate::config::{FanoutPolicy, GatewayConfig, StaticNode};
use crate::directory::{Directory, ObjectKind};
use crate::state::Gateway;

mod carry;
mod channels;
mod custom_content;
mod errata;
mod kickstart;
mod node_objects;
mod orgs;
mod packages;
mod seed;
mod source_packages;

/// A simulated node on loopback; stops when dropped.
struct Sim {
    url: String,
    node: Arc<sim::Node>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Sim {
    async fn start(name: &str, seed: u64, systems: usize) -> Sim {
        Sim::start_in("default", name, seed, systems).await
    }

    /// A node whose shared content (channels, packages) is `zone`'s.
    async fn start_in(zone: &str, name: &str, seed: u64, systems: usize) -> Sim {
        Sim::start_as(SimConfig {
            name: name.to_owned(),
            zone: zone.to_owned(),
            seed,
            systems,
            ..SimConfig::default()
        })
        .await
    }

    /// A node as `config` says.
    async fn start_as(config: SimConfig) -> Sim {
        let node = Arc::new(sim::Node::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(sim::run(node.clone(), listener, async {
            let _ = rx.await;
        }));
        Sim {
            url: format!("http://{addr}/rpc/api"),
            node,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the node and waits until it no longer accepts connections.
    async fn kill(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A memory store that fails the test on a key beyond the gateway token's
/// reach ([`GatewayReach`]): every router test checks that a gateway
/// linked to a director would be allowed what it does.
struct WithinReach(MemoryEngine);

fn within_reach(key: &[u8], reach: GatewayReach) {
    assert!(
        GatewayReach::of(key) >= reach,
        "the gateway needs {reach:?} on {}, beyond the gateway token's reach",
        key.escape_ascii()
    );
}

#[async_trait::async_trait]
impl Engine for WithinReach {
    fn describe(&self) -> String {
        self.0.describe()
    }
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        within_reach(key, GatewayReach::Read);
        self.0.get(key).await
    }
    async fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        within_reach(key, GatewayReach::ReadWrite);
        self.0.put(key, value).await
    }
    async fn delete(&self, key: &[u8]) -> Result<(), StoreError> {
        within_reach(key, GatewayReach::ReadWrite);
        self.0.delete(key).await
    }
    async fn scan_prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        assert!(
            GatewayReach::may_scan(prefix),
            "the gateway scans {}, beyond the gateway token's reach",
            prefix.escape_ascii()
        );
        self.0.scan_prefix(prefix, limit).await
    }
    async fn transact(&self, txn: Txn) -> Result<CasResult<Conflict>, StoreError> {
        let refused = GatewayReach::first_refused(
            txn.checks().iter().map(|c| c.key.as_slice()),
            txn.writes().iter().map(|w| w.key.as_slice()),
        );
        if let Some((key, reach)) = refused {
            within_reach(key, reach);
        }
        self.0.transact(txn).await
    }
}

/// The directory of a gateway with `cfg`'s static node list over a
/// [`WithinReach`] store.
fn directory(cfg: &GatewayConfig) -> Arc<Directory> {
    let store = Store::new(WithinReach(MemoryEngine::new()));
    Arc::new(Directory::from_static(&cfg.nodes, store))
}

async fn cluster(n: usize, systems: usize, policy: FanoutPolicy) -> (Vec<Sim>, Arc<Gateway>) {
    let mut sims = Vec::new();
    let mut cfg = GatewayConfig::default();
    cfg.fanout.policy = policy;
    cfg.upstream.timeout_ms = 5_000;
    cfg.upstream.read_retries = 0;
    for i in 0..n {
        let s = Sim::start(&format!("node{}", i + 1), 10 + i as u64, systems).await;
        cfg.nodes.push(StaticNode {
            id: format!("n{}", i + 1),
            zone: "default".into(),
            api_url: s.url.clone(),
        });
        sims.push(s);
    }
    let directory = directory(&cfg);
    (sims, Arc::new(Gateway::new(cfg, directory)))
}

/// Three simulators behind a gateway, with `systems[i]` systems each:
/// `n1` and `n2` of zone `default`, which number shared content (groups,
/// packages, errata) apart, and `n3` of zone `synced-apart`, which holds
/// other content.
async fn synced_apart(systems: [usize; 3]) -> ([Sim; 3], Gateway) {
    let sims = [
        Sim::start("node1", 10, systems[0]).await,
        Sim::start("node2", 11, systems[1]).await,
        Sim::start_in("synced-apart", "node3", 12, systems[2]).await,
    ];
    let mut cfg = GatewayConfig::default();
    cfg.upstream.read_retries = 0;
    for (i, (s, zone)) in sims
        .iter()
        .zip(["default", "default", "synced-apart"])
        .enumerate()
    {
        cfg.nodes.push(StaticNode {
            id: format!("n{}", i + 1),
            zone: zone.into(),
            api_url: s.url.clone(),
        });
    }
    let directory = directory(&cfg);
    (sims, Gateway::new(cfg, directory))
}

async fn call(gw: &Gateway, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
    gw.call(MethodCall {
        name: name.to_owned(),
        params,
    })
    .await
}

async fn login(gw: &Gateway) -> Value {
    call(gw, "auth.login", vec!["admin".into(), "admin".into()])
        .await
        .unwrap()
}

fn member<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct()
        .and_then(|s| s.get(name))
        .unwrap_or_else(|| panic!("no {name} in {v:?}"))
}

/// `name_member` to `id_member` of each struct of a listing (content by
/// its name: channels by label, errata by advisory name, ...).
fn ids_by(list: &Value, name_member: &str, id_member: &str) -> BTreeMap<String, i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                member(c, name_member).as_str().unwrap().to_owned(),
                member(c, id_member).as_i64().unwrap(),
            )
        })
        .collect()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| member(s, "id").as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systems_of_all_nodes_get_unique_ids_and_route_back() {
    let (_sims, gw) = cluster(3, 5, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    assert!(spec::is_session_key(key.as_str().unwrap()));
    let list = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let all = ids(&list);
    assert_eq!(all.len(), 15);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 15, "unique");
    assert!(all.iter().all(|id| i32::try_from(*id).is_ok()));
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| member(s, "name").as_str().unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "by name: {names:?}");
    for s in list.as_array().unwrap() {
        let id = member(s, "id").clone();
        let details = call(&gw, "system.getDetails", vec![key.clone(), id.clone()])
            .await
            .unwrap();
        assert_eq!(member(&details, "id"), &id, "the id comes back translated");
        assert_eq!(member(&details, "profile_name"), member(s, "name"));
    }
    // The same list again: the same ids.
    let again = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&again), all);
    let f = call(&gw, "system.getDetails", vec![key, Value::Int(42)])
        .await
        .unwrap_err();
    assert_eq!(
        f,
        Fault::new(-208, "redstone.xmlrpc.XmlRpcFault: No such system")
    );
}

/// The first package of the first channel (package ids are the same on
/// every node of a zone).
async fn a_package(gw: &Gateway, key: &Value) -> Value {
    let channels = call(gw, "channel.listSoftwareChannels", vec![key.clone()])
        .await
        .unwrap();
    let label = member(&channels.as_array().unwrap()[0], "label").clone();
    let packages = call(
        gw,
        "channel.software.listAllPackages",
        vec![key.clone(), label],
    )
    .await
    .unwrap();
    member(&packages.as_array().unwrap()[0], "id").clone()
}

/// The cluster id of the first system listed of each of `nodes`.
async fn first_system_of(gw: &Gateway, key: &Value, nodes: &[&str]) -> Vec<Value> {
    let list = call(gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let ids = gw.directory().identity();
    let mut picked = Vec::new();
    for node in nodes {
        let mut found = None;
        for id in ids_of(&list) {
            let loc = ids.system_location(id as i32).await.unwrap().unwrap();
            if &*loc.node == *node {
                found = Some(id);
                break;
            }
        }
        picked.push(Value::Int(found.unwrap() as i32));
    }
    picked
}

/// `system.scheduleApplyHighstate` on `systems`: one action id answered.
async fn highstate(gw: &Gateway, key: &Value, systems: &[Value]) -> Result<Value, Fault> {
    call(
        gw,
        "system.scheduleApplyHighstate",
        vec![
            key.clone(),
            Value::Array(systems.to_vec()),
            Value::DateTime("20240101T00:00:00".into()),
            Value::Bool(false),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_action_over_two_nodes_answers_as_one() {
    let (_sims, gw) = cluster(3, 3, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let picked = first_system_of(&gw, &key, &["n1", "n2"]).await;
    // A split call whose answer has room for one action id.
    let action = highstate(&gw, &key, &picked).await.unwrap();
    let id = action.as_i64().unwrap() as i32;
    let servers = |list: &Value| {
        let mut sids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| member(s, "server_id").as_i64().unwrap())
            .collect();
        sids.sort_unstable();
        sids
    };
    let mut expected: Vec<i64> = picked.iter().map(|v| v.as_i64().unwrap()).collect();
    expected.sort_unstable();
    // The one id reaches both nodes' parts; their systems come back under
    // cluster ids.
    let running = call(
        &gw,
        "schedule.listInProgressSystems",
        vec![key.clone(), Value::Int(id)],
    )
    .await
    .unwrap();
    assert_eq!(servers(&running), expected);
    // Listed once, both systems counted, on either path to the client.
    for listing in [
        call(&gw, "schedule.listInProgressActions", vec![key.clone()]).await,
        answer(&gw, "schedule.listInProgressActions", vec![key.clone()]).await,
    ] {
        let listing = listing.unwrap();
        let ours: Vec<&Value> = listing
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| member(a, "id").as_i64() == Some(i64::from(id)))
            .collect();
        assert_eq!(ours.len(), 1, "{listing:?}");
        assert_eq!(member(ours[0], "inProgressSystems"), &Value::Int(2));
        assert!(
            ids(&listing).windows(2).all(|w| w[0] < w[1]),
            "by id, once each"
        );
    }
    // Cancelling it cancels both parts.
    let cancelled = call(
        &gw,
        "schedule.cancelActions",
        vec![key.clone(), Value::Array(vec![Value::Int(id)])],
    )
    .await
    .unwrap();
    assert_eq!(cancelled, Value::Int(1));
    let failed = call(
        &gw,
        "schedule.listFailedSystems",
        vec![key.clone(), Value::Int(id)],
    )
    .await
    .unwrap();
    assert_eq!(servers(&failed), expected);
    assert!(
        failed
            .as_array()
            .unwrap()
            .iter()
            .all(|s| member(s, "message") == &Value::string("Canceled by user"))
    );
    // Each system's history names the one id.
    for sid in &picked {
        let events = call(
            &gw,
            "system.listSystemEvents",
            vec![key.clone(), sid.clone()],
        )
        .await
        .unwrap();
        assert_eq!(ids(&events), [i64::from(id)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_that_fails_on_one_node_is_cancelled_on_the_others() {
    let (mut sims, gw) = cluster(3, 3, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let picked = first_system_of(&gw, &key, &["n1", "n3"]).await;
    sims[2].kill().await;
    let fault = highstate(&gw, &key, &picked).await.unwrap_err();
    assert!(
        fault.string.contains("failed on node(s) n3 (")
            && fault
                .string
                .ends_with("undone on n1 (schedule.cancelActions)"),
        "{fault:?}"
    );
    // The action n1 had scheduled no longer runs.
    let events = call(
        &gw,
        "system.listSystemEvents",
        vec![key.clone(), picked[0].clone()],
    )
    .await
    .unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(member(&events[0], "failed_count"), &Value::Int(1));
    assert_eq!(
        member(&events[0], "result_msg"),
        &Value::string("Canceled by user")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_schedule_over_two_nodes_and_its_actions() {
    let (_sims, gw) = cluster(3, 3, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let package = a_package(&gw, &key).await;
    let picked = first_system_of(&gw, &key, &["n1", "n2"]).await;
    let actions = call(
        &gw,
        "system.schedulePackageInstall",
        vec![
            key.clone(),
            Value::Array(picked.clone()),
            Value::Array(vec![package]),
            Value::DateTime("20240101T00:00:00".into()),
        ],
    )
    .await
    .unwrap();
    let actions: Vec<i64> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(actions.len(), 2, "one action per node");
    assert_ne!(actions[0], actions[1], "action ids are cluster-wide");
    let in_progress = call(&gw, "schedule.listInProgressActions", vec![key.clone()])
        .await
        .unwrap();
    let listed = ids(&in_progress);
    assert!(actions.iter().all(|a| listed.contains(a)), "{listed:?}");
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "by id");
    // Cancel both in one call: split per node again.
    let cancelled = call(
        &gw,
        "schedule.cancelActions",
        vec![
            key.clone(),
            Value::Array(actions.iter().map(|a| Value::Int(*a as i32)).collect()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(cancelled, Value::Int(1));
    let events = call(
        &gw,
        "system.listSystemEvents",
        vec![key.clone(), picked[1].clone()],
    )
    .await
    .unwrap();
    assert_eq!(
        ids(&events),
        [actions[1]],
        "event ids are cluster action ids"
    );
}

fn ids_of(list: &Value) -> Vec<i64> {
    ids(list)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_creates_everywhere_or_undoes() {
    let (sims, gw) = cluster(3, 1, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let create = |name: &str| {
        vec![
            key.clone(),
            Value::string(name),
            Value::string("a key"),
            Value::string(""),
            Value::Array(vec![]),
            Value::Bool(false),
        ]
    };
    let made = call(&gw, "activationkey.create", create("everywhere"))
        .await
        .unwrap();
    assert_eq!(made, Value::string("1-everywhere"));
    // The key exists already on n2 only: n1 and n3 are undone.
    let direct = compat_tests::harness::RpcClient::new(sims[1].url.clone());
    let node_key = direct.login("admin", "admin").await.unwrap();
    direct
        .call("activationkey.create", {
            let mut p = create("clash");
            p[0] = Value::string(node_key);
            p
        })
        .await
        .unwrap();
    let f = call(&gw, "activationkey.create", create("clash"))
        .await
        .unwrap_err();
    assert_eq!(f.code, 1090, "{f:?}");
    assert!(
        f.string.contains("failed on node(s) n2 (fault 1090"),
        "{}",
        f.string
    );
    assert!(
        f.string
            .contains("undone on n1 (activationkey.delete), n3 (activationkey.delete)"),
        "{}",
        f.string
    );
    let keys = call(&gw, "activationkey.listActivationKeys", vec![key.clone()])
        .await
        .unwrap();
    let listed: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| member(k, "key").as_str().unwrap())
        .collect();
    assert!(listed.contains(&"1-everywhere"));
    // Everywhere the same fault: passed on as it is.
    let f = call(&gw, "activationkey.create", create("everywhere"))
        .await
        .unwrap_err();
    assert_eq!(
        f,
        Fault::new(
            1090,
            "redstone.xmlrpc.XmlRpcFault: activation_key_already_exists"
        )
    );
    assert_eq!(
        call(
            &gw,
            "activationkey.delete",
            vec![key.clone(), "1-everywhere".into()]
        )
        .await,
        Ok(Value::Int(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_the_servers() {
    let (_sims, gw) = cluster(2, 1, FanoutPolicy::Strict).await;
    let bad = call(&gw, "auth.login", vec!["admin".into(), "nope".into()]).await;
    assert_eq!(
        bad,
        Err(Fault::new(
            2950,
            "redstone.xmlrpc.XmlRpcFault: Either the password or username is incorrect."
        ))
    );
    let forged = Value::string(format!("12345x{}", "0".repeat(64)));
    assert_eq!(
        call(&gw, "system.listSystems", vec![forged.clone()]).await,
        Err(Fault::new(
            -1,
            "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 12345"
        ))
    );
    // An unknown key wins over an unknown method, as on the server.
    assert_eq!(
        call(&gw, "system.noSuchMethod", vec![forged])
            .await
            .unwrap_err()
            .string,
        "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 12345"
    );
    let key = login(&gw).await;
    let unknown = call(&gw, "system.noSuchMethod", vec![key.clone()])
        .await
        .unwrap_err();
    assert!(unknown.string.starts_with("redstone.xmlrpc.XmlRpcFault: Could not find method: noSuchMethod in class: com.redhat.rhn.frontend.xmlrpc.system.SystemHandler"), "{unknown:?}");
    assert_eq!(
        call(&gw, "nosuch.thing", vec![key.clone()]).await,
        Err(Fault::new(-1, "The specified handler cannot be found"))
    );
    assert_eq!(
        call(&gw, "system.getDetails", vec![key.clone(), "x".into()])
            .await
            .unwrap_err()
            .string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator for class java.lang.String to class java.lang.Integer"
    );
    assert_eq!(
        call(&gw, "system.getDetails", vec![Value::Int(1), Value::Int(1)])
            .await
            .unwrap_err()
            .string,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator for class java.lang.Integer to interface com.redhat.rhn.domain.user.User"
    );
    // A trailing newline on the key is trimmed, as the server does.
    let padded = Value::string(format!("{}\n", key.as_str().unwrap()));
    assert!(
        call(&gw, "user.listAssignableRoles", vec![padded])
            .await
            .is_ok()
    );
    let version = call(&gw, "api.getVersion", vec![]).await.unwrap();
    assert!(version.as_str().unwrap().parse::<f64>().unwrap() >= 10.8);
    let namespaces = call(&gw, "api.getApiNamespaces", vec![]).await.unwrap();
    assert!(namespaces.as_struct().unwrap().get("system").is_some());
    let with_key = call(&gw, "api.getApiNamespaces", vec![key.clone()]).await;
    assert_eq!(with_key, Ok(namespaces));
    let calls = call(
        &gw,
        "api.getApiNamespaceCallList",
        vec![key.clone(), "auth".into()],
    )
    .await
    .unwrap();
    assert!(calls.as_struct().unwrap().len() >= 3);
    assert_eq!(
        call(&gw, "auth.logout", vec![key.clone()]).await,
        Ok(Value::Int(1))
    );
    assert!(call(&gw, "system.listSystems", vec![key]).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multicall_routes_each_call() {
    let (_sims, gw) = cluster(2, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let list = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let sid = member(&list.as_array().unwrap()[3], "id").clone();
    let inner = |name: &str, params: Vec<Value>| {
        xmlrpc::multicall::call_struct(&MethodCall {
            name: name.to_owned(),
            params,
        })
    };
    let answer = call(
        &gw,
        "system.multicall",
        vec![Value::Array(vec![
            inner("api.getVersion", vec![]),
            inner("system.getDetails", vec![key.clone(), sid.clone()]),
            inner("system.getDetails", vec![key.clone(), Value::Int(7)]),
            Value::Int(3),
        ])],
    )
    .await
    .unwrap();
    let parts = answer.as_array().unwrap();
    assert_eq!(parts.len(), 4);
    assert!(parts[0].as_array().is_some());
    assert_eq!(member(&parts[1].as_array().unwrap()[0], "id"), &sid);
    assert_eq!(Fault::from_value(&parts[2]).unwrap().code, -208);
    assert_eq!(
        Fault::from_value(&parts[3]).unwrap().code,
        xmlrpc::multicall::INVALID_CALL
    );
}

/// Registers a system on `sim` through its side endpoint, as a minion
/// would register with the node; answers its local id.
async fn register(sim: &Sim, minion: &str, hostname: &str) -> i64 {
    let side = sim.url.replace("/rpc/api", "/uyuni-sim/v1/systems");
    let body = serde_json::json!({
        "minion_id": minion,
        "machine_id": format!("{minion}-machine"),
        "hostname": hostname,
    });
    let answer: serde_json::Value = reqwest::Client::new()
        .post(side)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_groups_carry_cluster_ids_and_unite_across_nodes() {
    let (sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let mut registered = Vec::new();
    for (sim, node, minion, host) in [
        (&sims[0], "n1", "dup-a", "dup.example.test"),
        (&sims[0], "n1", "dup-b", "DUP.example.test"),
        (&sims[1], "n2", "dup-c", "dup.example.test"),
        (&sims[1], "n2", "dup-d", "dup.example.test"),
        (&sims[1], "n2", "twin-a", "twin.example.test"),
        (&sims[1], "n2", "twin-b", "twin.example.test"),
    ] {
        registered.push((node, register(sim, minion, host).await));
    }
    let key = login(&gw).await;
    let groups = call(&gw, "system.listDuplicatesByHostname", vec![key.clone()])
        .await
        .unwrap();
    let groups = groups.as_array().unwrap();
    let hosts: Vec<&str> = groups
        .iter()
        .map(|g| member(g, "hostname").as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["dup.example.test", "twin.example.test"]);
    let sids: Vec<i64> = groups
        .iter()
        .flat_map(|g| member(g, "systems").as_array().unwrap())
        .map(|s| member(s, "systemId").as_i64().unwrap())
        .collect();
    assert_eq!(member(&groups[0], "systems").as_array().unwrap().len(), 4);
    // Each id is the cluster id of the system the node registered, and
    // calls naming it reach that system.
    let ident = gw.directory().identity();
    let mut located = Vec::new();
    for sid in &sids {
        let loc = ident.system_location(*sid as i32).await.unwrap().unwrap();
        located.push((loc.node.to_string(), i64::from(loc.local)));
        let name = call(
            &gw,
            "system.getName",
            vec![key.clone(), Value::Int(*sid as i32)],
        )
        .await
        .unwrap();
        assert_eq!(member(&name, "id"), &Value::Int(*sid as i32));
    }
    let expected: Vec<(String, i64)> = registered
        .iter()
        .map(|(node, local)| (node.to_string(), *local))
        .collect();
    assert_eq!(located, expected);
}

/// The recurring schedules of an entity, as `gw` lists them.
async fn schedules_of(gw: &Gateway, key: Value, kind: &str, id: Value) -> Value {
    call(gw, "recurring.listByEntity", vec![key, kind.into(), id])
        .await
        .unwrap()
}

/// Calls `recurring.<method>` on `gw` with `key` and one argument.
async fn recurring(gw: &Gateway, method: &str, key: Value, arg: Value) -> Result<Value, Fault> {
    call(gw, &format!("recurring.{method}"), vec![key, arg]).await
}

/// The `actionProps` of a new highstate schedule.
fn schedule_props(entity_type: &str, entity_id: i32, name: &str) -> Value {
    Value::Struct(
        xmlrpc::Struct::new()
            .with("entity_type", Value::string(entity_type))
            .with("entity_id", Value::Int(entity_id))
            .with("name", Value::string(name))
            .with("cron_expr", Value::string("0 0 2 ? * *")),
    )
}

/// The `actionProps` of a change to schedule `id`.
fn schedule_change(id: &Value, member: &str, value: Value) -> Value {
    Value::Struct(
        xmlrpc::Struct::new()
            .with("id", id.clone())
            .with(member, value),
    )
}

/// A cluster system id on node `node`.
async fn system_on(gw: &Gateway, key: &Value, node: &str) -> i32 {
    system_where(gw, key, node, |_| true).await
}

/// The cluster id of the first listed system on node `node` whose local id
/// `pick` takes.
async fn system_where(gw: &Gateway, key: &Value, node: &str, pick: impl Fn(i32) -> bool) -> i32 {
    let found = systems_on(gw, key, node).await.into_iter();
    found
        .filter(|(_, local)| pick(*local))
        .map(|(id, _)| id)
        .next()
        .unwrap_or_else(|| panic!("no such system on {node}"))
}

/// The systems listed on node `node`, in listing order: cluster id and id
/// on the node.
async fn systems_on(gw: &Gateway, key: &Value, node: &str) -> Vec<(i32, i32)> {
    let list = call(gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let ident = gw.directory().identity();
    let mut out = Vec::new();
    for id in ids(&list) {
        let loc = ident.system_location(id as i32).await.unwrap().unwrap();
        if &*loc.node == node {
            out.push((id as i32, loc.local));
        }
    }
    out
}

/// The nodes and local ids of the parts of cluster object `id` of `kind`.
async fn parts_of(gw: &Gateway, kind: ObjectKind, id: &Value) -> Vec<(String, i32)> {
    let id = id.as_i64().unwrap() as i32;
    gw.directory()
        .identity()
        .object_parts(kind, id)
        .await
        .unwrap()
        .unwrap()
        .iter()
        .map(|p| (p.node.to_string(), p.local))
        .collect()
}

/// A gateway with `sim` alone, and a session on it.
async fn alone(sim: &Sim) -> (Gateway, Value) {
    let mut cfg = GatewayConfig::default();
    cfg.nodes.push(StaticNode {
        id: "alone".into(),
        zone: "default".into(),
        api_url: sim.url.clone(),
    });
    let directory = directory(&cfg);
    let gw = Gateway::new(cfg, directory);
    let key = login(&gw).await;
    (gw, key)
}

/// The names of the organization's schedules, as a gateway with `sim`
/// alone sees them.
async fn org_schedules_on(sim: &Sim) -> Vec<String> {
    let (gw, key) = alone(sim).await;
    let listed = schedules_of(&gw, key, "ORG", Value::Int(1)).await;
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| member(s, "name").as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_schedule_is_one_schedule_with_a_copy_on_every_node() {
    let (mut sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    // A minion's schedule on n2 first: n2 numbers the next schedule 2,
    // the other nodes 1.
    let sid = system_on(&gw, &key, "n2").await;
    let minion = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("MINION", sid, "minion"),
    )
    .await
    .unwrap();
    let created = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("ORG", 1, "nightly"),
    )
    .await
    .unwrap();
    assert_ne!(created, minion);
    let expected = [("n1", 1), ("n2", 2), ("n3", 1)].map(|(n, l)| (n.to_owned(), l));
    assert_eq!(
        parts_of(&gw, ObjectKind::Schedule, &created).await,
        expected
    );
    // Listed once, under its cluster id.
    let listed = schedules_of(&gw, key.clone(), "ORG", Value::Int(1)).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(member(&listed[0], "id"), &created);
    let found = recurring(&gw, "lookupById", key.clone(), created.clone())
        .await
        .unwrap();
    assert_eq!(member(&found, "id"), &created);
    assert_eq!(member(&found, "name"), &Value::string("nightly"));
    // A change reaches every copy, each under its own node's id.
    let renamed = schedule_change(&created, "name", Value::string("renamed"));
    let updated = recurring(&gw, "highstate.update", key.clone(), renamed)
        .await
        .unwrap();
    assert_eq!(updated, created);
    for sim in &sims {
        assert_eq!(org_schedules_on(sim).await, ["renamed"]);
    }
    let deleted = recurring(&gw, "delete", key.clone(), created.clone())
        .await
        .unwrap();
    assert_eq!(deleted, created);
    for sim in &sims {
        assert!(org_schedules_on(sim).await.is_empty());
    }
    let f = recurring(&gw, "lookupById", key.clone(), created.clone())
        .await
        .unwrap_err();
    assert_eq!(f.code, 10101, "{f:?}");
    // The minion's schedule is untouched and found by its own id.
    let found = recurring(&gw, "lookupById", key.clone(), minion.clone())
        .await
        .unwrap();
    assert_eq!(member(&found, "name"), &Value::string("minion"));
    assert_eq!(member(&found, "entity_id"), &Value::Int(sid));
    // An id the cluster never gave: the server's fault, with that id.
    let f = recurring(&gw, "delete", key.clone(), Value::Int(999_999))
        .await
        .unwrap_err();
    assert_eq!(f.code, 10101, "{f:?}");
    assert!(
        f.string.ends_with("Action with id: 999999 does not exist"),
        "{f:?}"
    );
    // A copy deleted on its node already: deleting the schedule deletes
    // the others; then it is gone everywhere.
    let again = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("ORG", 1, "again"),
    )
    .await
    .unwrap();
    let (n1, n1_key) = alone(&sims[0]).await;
    let on_n1 = schedules_of(&n1, n1_key.clone(), "ORG", Value::Int(1)).await;
    let copy = member(&on_n1.as_array().unwrap()[0], "id").clone();
    recurring(&n1, "delete", n1_key, copy).await.unwrap();
    let deleted = recurring(&gw, "delete", key.clone(), again.clone())
        .await
        .unwrap();
    assert_eq!(deleted, again);
    for sim in &sims {
        assert!(org_schedules_on(sim).await.is_empty());
    }
    let f = recurring(&gw, "delete", key.clone(), again.clone())
        .await
        .unwrap_err();
    assert_eq!(f.code, 10101, "{f:?}");
    assert!(
        f.string.ends_with(&format!(
            "Action with id: {} does not exist",
            again.as_i64().unwrap()
        )),
        "the cluster id, not a node's: {f:?}"
    );
    let survivor = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("ORG", 1, "survivor"),
    )
    .await
    .unwrap();
    // A node down while a schedule is made: the copies made are deleted
    // again, and the fault says so.
    sims[2].kill().await;
    let f = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("ORG", 1, "half"),
    )
    .await
    .unwrap_err();
    assert!(f.string.contains("n3"), "{f:?}");
    assert!(f.string.contains("recurring.delete"), "{f:?}");
    for sim in &sims[..2] {
        assert_eq!(org_schedules_on(sim).await, ["survivor"]);
    }
    // A change that reaches some copies only: the fault names the node
    // that failed and those changed.
    let renamed = schedule_change(&survivor, "name", Value::string("renamed"));
    let f = recurring(&gw, "highstate.update", key.clone(), renamed)
        .await
        .unwrap_err();
    assert!(f.string.contains("failed on node(s) n3"), "{f:?}");
    assert!(f.string.contains("still applied on n1, n2"), "{f:?}");
    for sim in &sims[..2] {
        assert_eq!(org_schedules_on(sim).await, ["renamed"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minions_recurring_schedule_lives_on_its_node() {
    let (_sims, gw) = cluster(2, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    // A schedule on n1 first, so that the cluster numbers n2's next
    // schedule 2 while n2 numbers it 1.
    let other = system_on(&gw, &key, "n1").await;
    recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("minion", other, "other"),
    )
    .await
    .unwrap();
    let sid = system_on(&gw, &key, "n2").await;
    let created = recurring(
        &gw,
        "highstate.create",
        key.clone(),
        schedule_props("minion", sid, "nightly"),
    )
    .await
    .unwrap();
    assert_eq!(
        parts_of(&gw, ObjectKind::Schedule, &created).await,
        [("n2".to_owned(), 1)]
    );
    let listed = schedules_of(&gw, key.clone(), "MINION", Value::Int(sid)).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(member(&listed[0], "id"), &created);
    assert_eq!(member(&listed[0], "entity_id"), &Value::Int(sid));
    assert_eq!(member(&listed[0], "name"), &Value::string("nightly"));
    let paused = schedule_change(&created, "active", Value::Bool(false));
    let updated = recurring(&gw, "highstate.update", key.clone(), paused)
        .await
        .unwrap();
    assert_eq!(updated, created);
    let found = recurring(&gw, "lookupById", key.clone(), created.clone())
        .await
        .unwrap();
    assert_eq!(member(&found, "id"), &created);
    assert_eq!(member(&found, "entity_id"), &Value::Int(sid));
    assert_eq!(member(&found, "active"), &Value::Bool(false));
    let deleted = recurring(&gw, "delete", key.clone(), created.clone())
        .await
        .unwrap();
    assert_eq!(deleted, created);
    // Gone: the server's fault, naming the id the client knows.
    let f = recurring(&gw, "lookupById", key.clone(), created.clone())
        .await
        .unwrap_err();
    assert_eq!(
        (f.code, f.string.as_str()),
        (
            10101,
            format!(
                "redstone.xmlrpc.XmlRpcFault: Action with id: {} does not exist",
                created.as_i64().unwrap()
            )
            .as_str()
        ),
        "{f:?}"
    );
    // An update without an id: the node's own fault.
    let f = recurring(
        &gw,
        "highstate.update",
        key.clone(),
        Value::Struct(xmlrpc::Struct::new().with("name", Value::string("x"))),
    )
    .await
    .unwrap_err();
    assert!(f.string.contains("No action id provided"), "{f:?}");
    // An entity id the cluster does not know goes its usual way: every
    // node answers the same fault, which passes on.
    let f = recurring(
        &gw,
        "highstate.create",
        key,
        schedule_props("minion", 7, "nightly"),
    )
    .await
    .unwrap_err();
    assert_eq!(f.code, 10101, "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_node_under_both_policies() {
    let (mut sims, strict) = cluster(3, 2, FanoutPolicy::Strict).await;
    let mut cfg = strict.config().clone();
    cfg.fanout.policy = FanoutPolicy::Partial;
    let partial = Arc::new(Gateway::new(cfg, strict.directory().clone()));
    let key = login(&strict).await;
    let list = call(&strict, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&list).len(), 6);
    sims[2].kill().await;
    let f = call(&strict, "system.listSystems", vec![key.clone()])
        .await
        .unwrap_err();
    // A connection pooled before the kill may be handed out before the
    // client has seen the node close it: the call then fails as it goes
    // out rather than at connect (retries are off here).
    assert!(
        ["(unreachable)", "(transport error: "].iter().any(|why| f
            .string
            .contains(&format!("cluster nodes could not answer: n3 {why}"))),
        "{f:?}"
    );
    assert!(
        !f.string.contains("n1") && !f.string.contains("n2"),
        "{f:?}"
    );
    let some = call(&partial, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&some).len(), 4);
    assert!(
        partial
            .metrics()
            .render()
            .contains("gateway_fanout_gaps_total{node=\"n3\"} 1")
    );
    let ident = strict.directory().identity();
    for id in ids(&list) {
        let loc = ident.system_location(id as i32).await.unwrap().unwrap();
        let got = call(
            &strict,
            "system.getDetails",
            vec![key.clone(), Value::Int(id as i32)],
        )
        .await;
        if &*loc.node == "n3" {
            let f = got.unwrap_err();
            assert!(f.string.contains("cluster node n3 is unavailable"), "{f:?}");
        } else {
            assert!(got.is_ok(), "{got:?}");
        }
    }
    // Shared reads fail over to a node that answers.
    for _ in 0..3 {
        assert!(
            call(&strict, "channel.listSoftwareChannels", vec![key.clone()])
                .await
                .is_ok()
        );
    }
}

fn node_record(id: &str, url: &str) -> Node {
    Node {
        id: id.to_owned(),
        number: 1,
        zone: "default".to_owned(),
        api_url: url.to_owned(),
        master: String::new(),
        weight: 1.0,
        state: NodeState::Active,
        cordoned: false,
        last_heartbeat: None,
        load: None,
        public_key: None,
        drain_deadline: None,
        state_since: None,
        seeded: None,
        misses_at_failure: None,
        follows_at_failure: None,
        lacking: None,
        cordoned_lacking: false,
        created: now_ms(),
        updated: now_ms(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_joining_after_login_is_logged_into_with_the_held_password() {
    let a = Sim::start("alpha", 1, 2).await;
    let b = Sim::start("beta", 2, 3).await;
    let store = Store::memory();
    store
        .put_json(Keys::node("a"), &node_record("a", &a.url))
        .await
        .unwrap();
    let dir = Arc::new(Directory::from_store(store.clone()).await.unwrap());
    let gw = Gateway::new(GatewayConfig::default(), dir.clone());
    // A second replica over the same store: same sessions, no password.
    let replica = Gateway::new(
        GatewayConfig::default(),
        Arc::new(Directory::from_store(store.clone()).await.unwrap()),
    );
    let key = login(&gw).await;
    assert_eq!(
        ids(&call(&replica, "system.listSystems", vec![key.clone()])
            .await
            .unwrap())
        .len(),
        2
    );
    store
        .put_json(Keys::node("b"), &node_record("b", &b.url))
        .await
        .unwrap();
    dir.refresh().await.unwrap();
    replica.directory().refresh().await.unwrap();
    let f = call(&replica, "system.listSystems", vec![key.clone()])
        .await
        .unwrap_err();
    assert!(
        f.string
            .starts_with("com.redhat.rhn.common.hibernate.LookupException"),
        "{f:?}"
    );
    let list = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&list).len(), 5);
    // The new node key is in the shared store now: the replica serves it.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        ids(&call(&replica, "system.listSystems", vec![key])
            .await
            .unwrap())
        .len(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_face() {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    let (_sims, gw) = cluster(1, 1, FanoutPolicy::Strict).await;
    // As served: `POST /rpc/api` straight to its handler, the rest
    // through the router.
    let app = crate::server::front(gw.clone());
    let get = Request::get("/rpc/api").body(Body::empty()).unwrap();
    let r = app.clone().oneshot(get).await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(r.headers().contains_key("x-request-id"));
    let post = |body: Vec<u8>| {
        Request::post("/rpc/api")
            .header("content-type", "text/xml")
            .body(Body::from(body))
            .unwrap()
    };
    let secret = b"<?xml version='1.0'?><methodCall><methodName>auth.login</methodName><params><param><value>admin</value></param><param><value><string>hunter2</string></value></param><bogus/></params></methodCall>".to_vec();
    let r = app.clone().oneshot(post(secret)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
    let fault = xmlrpc::parse_response(&body, &xmlrpc::Limits::RESPONSE)
        .unwrap()
        .unwrap_err();
    assert!(!fault.string.contains("hunter2"), "{fault:?}");
    let big = vec![b' '; 17 * 1024 * 1024];
    let r = app.clone().oneshot(post(big)).await.unwrap();
    let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
    let fault = xmlrpc::parse_response(&body, &xmlrpc::Limits::RESPONSE)
        .unwrap()
        .unwrap_err();
    assert!(fault.string.contains("could not be read"), "{fault:?}");
    let ok = xmlrpc::encode_call(&MethodCall {
        name: "api.getVersion".into(),
        params: vec![],
    });
    let r = app.clone().oneshot(post(ok.clone())).await.unwrap();
    let numbered = r.headers()["x-request-id"].clone();
    let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
    assert!(
        xmlrpc::parse_response(&body, &xmlrpc::Limits::RESPONSE)
            .unwrap()
            .is_ok()
    );
    // Numbered from one counter with the router's requests; a client's
    // own id is answered back.
    assert_eq!(numbered.len(), 16, "{numbered:?}");
    assert_ne!(numbered, "0000000000000000");
    let mut own = post(ok.clone());
    own.headers_mut()
        .insert("x-request-id", "client-7".parse().unwrap());
    let r = app.clone().oneshot(own).await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "client-7");
    // The router alone (as the REST tests use it) answers XML-RPC too.
    let r = crate::server::router(gw.clone())
        .oneshot(post(ok))
        .await
        .unwrap();
    assert!(r.headers().contains_key("x-request-id"));
    let body = to_bytes(r.into_body(), usize::MAX).await.unwrap();
    assert!(
        xmlrpc::parse_response(&body, &xmlrpc::Limits::RESPONSE)
            .unwrap()
            .is_ok()
    );
    let r = app
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text =
        String::from_utf8(to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(
        text.contains("gateway_requests_total{class=\"gateway\"}"),
        "{text}"
    );
    assert!(
        text.contains("gateway_node_calls_total{node=\"n1\"}"),
        "{text}"
    );
    for line in [
        "gateway_fanout_in_flight 0",
        "gateway_fanout_max_in_flight 16",
        "gateway_fanout_refused_total 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    let r = app
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// What `/rpc/api` sends, decoded: an encoded answer parsed back.
async fn answer(gw: &Gateway, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
    let reply = gw
        .answer(MethodCall {
            name: name.to_owned(),
            params,
        })
        .await;
    match reply {
        crate::route::Reply::Value(answer) => answer,
        crate::route::Reply::Encoded(body) => read_encoded(body).await,
    }
}

/// An encoded answer, read to its end and parsed.
async fn read_encoded(body: axum::body::Body) -> Result<Value, Fault> {
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    xmlrpc::parse_response(&bytes, &xmlrpc::Limits::RESPONSE).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_for_the_wire_are_the_values() {
    let (_sims, gw) = cluster(3, 40, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    for method in [
        "system.listSystems",
        "system.listActiveSystems",
        "schedule.listInProgressActions",
        "saltkey.acceptedList",
        "system.listSystemz",
    ] {
        // Twice each: ids allocated on the first, cached on the second.
        for _ in 0..2 {
            let wire = answer(&gw, method, vec![key.clone()]).await;
            let value = call(&gw, method, vec![key.clone()]).await;
            assert_eq!(wire, value, "{method}");
        }
    }
    let wire = answer(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(wire.as_array().unwrap().len(), 120);
}

/// A call on one system answered for the wire is the node's own document,
/// ids spliced in: it reads as the value path's answer, faults included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routed_answers_for_the_wire_are_the_values() {
    let (_sims, gw) = cluster(3, 4, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let list = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    let systems = ids_of(&list);
    assert_eq!(systems.len(), 12);
    for id in systems {
        let sid = Value::Int(id as i32);
        for method in [
            "system.getDetails",
            "system.getNetwork",
            "system.getEntitlements",
            "system.getRegistrationDate",
            "system.getRunningKernel",
            "system.listActivationKeys",
            "system.getSubscribedBaseChannel",
        ] {
            let params = vec![key.clone(), sid.clone()];
            let wire = answer(&gw, method, params.clone()).await;
            let value = call(&gw, method, params).await;
            assert_eq!(wire, value, "{method}");
        }
        // The struct's own id is the cluster id, not the node's.
        let details = answer(&gw, "system.getDetails", vec![key.clone(), sid.clone()])
            .await
            .unwrap();
        assert_eq!(member(&details, "id"), &sid);
    }
    // A node's fault, and the gateway's for a wrong argument.
    for params in [
        vec![key.clone(), Value::Int(42)],
        vec![key.clone(), "not an id".into()],
    ] {
        let wire = answer(&gw, "system.getDetails", params.clone()).await;
        assert!(wire.is_err(), "{wire:?}");
        assert_eq!(wire, call(&gw, "system.getDetails", params).await);
    }
}

/// The pieces a relaying node sends of an answer to `system.listSystems`.
type Rewrite = fn(Bytes) -> Vec<Result<Bytes, std::io::Error>>;

/// A node in front of `upstream` (a simulator's `/rpc/api`) that passes
/// every call on, and sends its answers to `system.listSystems` as
/// `rewrite` makes them. Its URL.
async fn relay_node(upstream: String, rewrite: Rewrite) -> String {
    let client = reqwest::Client::new();
    let relay = move |body: Bytes| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move {
            let listing = memchr::memmem::find(&body, b"system.listSystems").is_some();
            let answer = client
                .post(&upstream)
                .header("content-type", "text/xml")
                .body(body)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            if !listing {
                return axum::body::Body::from(answer);
            }
            axum::body::Body::from_stream(futures::stream::iter(rewrite(answer)))
        }
    };
    let app = axum::Router::new().route("/rpc/api", axum::routing::post(relay));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// `answer` in pieces of 64 KiB.
fn pieces(answer: &[u8]) -> Vec<Result<Bytes, std::io::Error>> {
    answer
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect()
}

/// The first `cut` bytes, then the connection breaks off.
fn break_off<const CUT: usize>(answer: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    assert!(answer.len() > CUT, "the answer is shorter than the cut");
    let mut sent = pieces(&answer[..CUT]);
    sent.push(Err(std::io::Error::other("node went down")));
    sent
}

/// Three nodes of `systems` each; n3's listings pass through `rewrite`.
async fn cluster_with_a_relay(
    systems: usize,
    rewrite: Rewrite,
    policy: FanoutPolicy,
) -> (Vec<Sim>, Arc<Gateway>) {
    let (sims, gw) = cluster(3, systems, policy).await;
    let mut cfg = gw.config().clone();
    cfg.nodes[2].api_url = relay_node(sims[2].url.clone(), rewrite).await;
    let directory = directory(&cfg);
    (sims, Arc::new(Gateway::new(cfg, directory)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_listings_stream_the_same_answer_as_the_values() {
    // About 1.5 MB per node: several batches each, merged while read.
    let (_sims, gw) = cluster(3, 3000, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    for _ in 0..2 {
        let wire = answer(&gw, "system.listSystems", vec![key.clone()])
            .await
            .unwrap();
        let value = call(&gw, "system.listSystems", vec![key.clone()])
            .await
            .unwrap();
        assert_eq!(wire, value);
        let ids = ids(&wire);
        assert_eq!(ids.len(), 9000);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 9000);
    }
    // Every answer was merged batch by batch, none read whole first.
    let metrics = gw.metrics().render();
    for node in ["n1", "n2", "n3"] {
        let line = format!("gateway_fanout_whole_reads_total{{node=\"{node}\"}} 0");
        assert!(metrics.contains(&line), "{metrics}");
    }
}

/// `fanout.max_in_flight`: a fan-out call waits for a turn while that
/// many are under way (a streamed answer holds its turn until it is
/// written or dropped), gets one as soon as one ends, and is refused as
/// busy when none comes within the call timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_calls_take_turns() {
    let (_sims, gw) = cluster(2, 20, FanoutPolicy::Strict).await;
    let mut cfg = gw.config().clone();
    cfg.fanout.max_in_flight = 1;
    cfg.fanout.max_wait_ms = 1_500;
    let gw = Gateway::new(cfg.clone(), directory(&cfg));
    let key = login(&gw).await;
    let held = async || encoded_listing(&gw, &key).await;
    let body = held().await;
    let busy = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap_err();
    assert_eq!(busy.code, -1);
    assert!(
        busy.string.ends_with(
            "the cluster gateway is busy with 1 call(s) over every node; try again later"
        ),
        "{}",
        busy.string
    );
    // Written, the answer lets its turn go.
    let listed = read_encoded(body).await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 40);
    assert_eq!(
        call(&gw, "system.listSystems", vec![key.clone()])
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        40
    );
    // A call waiting for a turn gets the one an answer put down lets go.
    let body = held().await;
    assert_eq!(gw.fanout_in_flight(), (1, 1));
    let waiting = {
        let (gw, key) = (gw.clone(), key.clone());
        tokio::spawn(async move { call(&gw, "system.listSystems", vec![key]).await })
    };
    eventually("the second call waits for a turn", || async {
        gw.metrics()
            .render()
            .lines()
            .any(|l| l == "gateway_fanout_waits_total 2")
    })
    .await;
    drop(body);
    assert!(waiting.await.unwrap().is_ok());
    assert!(
        gw.metrics()
            .render()
            .lines()
            .any(|l| l == "gateway_fanout_refused_total 1")
    );
    assert_eq!(gw.fanout_in_flight(), (0, 1));
    // Other classes never wait: a routed call answers meanwhile.
    let body = held().await;
    let id = member(&listed.as_array().unwrap()[0], "id").clone();
    let details = call(&gw, "system.getDetails", vec![key.clone(), id.clone()]).await;
    assert_eq!(member(&details.unwrap(), "id"), &id);
    let made = call(
        &gw,
        "systemgroup.create",
        vec![key.clone(), "lab".into(), "Lab machines".into()],
    )
    .await;
    assert!(made.is_ok(), "{made:?}");
    drop(body);
    // A fan-out answered as a value (a group's details, merged from every
    // node) is encoded under its turn and holds it until written.
    let reply = gw
        .answer(MethodCall {
            name: "systemgroup.getDetails".into(),
            params: vec![key.clone(), "lab".into()],
        })
        .await;
    let crate::route::Reply::Encoded(body) = reply else {
        panic!("a fan-out value is encoded under its turn");
    };
    assert_eq!(gw.fanout_in_flight(), (1, 1));
    let group = read_encoded(body).await.unwrap();
    assert_eq!(member(&group, "description").as_str(), Some("Lab machines"));
    assert_eq!(gw.fanout_in_flight(), (0, 1));
}

/// Three nodes of 8000 systems (4 MB answers each, longer than what the
/// gateway and the socket buffers hold ahead) behind a gateway whose
/// nodes' timeout is `timeout_ms`: a session, and the streamed body of a
/// listing of them all.
async fn streamed_listing(timeout_ms: u64) -> (Vec<Sim>, Gateway, Value, axum::body::Body) {
    let (sims, gw) = cluster(3, 8000, FanoutPolicy::Strict).await;
    let mut cfg = gw.config().clone();
    cfg.upstream.timeout_ms = timeout_ms;
    let gw = Gateway::new(cfg.clone(), directory(&cfg));
    let key = login(&gw).await;
    let body = encoded_listing(&gw, &key).await;
    (sims, gw, key, body)
}

/// The body of `system.listSystems` for the wire, written from the nodes'
/// bytes.
async fn encoded_listing(gw: &Gateway, key: &Value) -> axum::body::Body {
    let reply = gw
        .answer(MethodCall {
            name: "system.listSystems".into(),
            params: vec![key.clone()],
        })
        .await;
    let crate::route::Reply::Encoded(body) = reply else {
        panic!("a listing of systems is written from the nodes' bytes");
    };
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_reading_a_long_listing_slowly_gets_all_of_it() {
    // The nodes' answers are read only a few batches ahead of the client
    // (their memory stays bounded), so a slow client holds them up; that
    // wait is not the nodes' and must not time them out (1.5 s here, the
    // client takes over twice that).
    let (_sims, _gw, _key, mut body) = streamed_listing(1_500).await;
    let began = std::time::Instant::now();
    let mut doc = Vec::new();
    while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
        doc.extend_from_slice(&frame.unwrap().into_data().unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(70)).await;
    }
    assert!(began.elapsed() > std::time::Duration::from_secs(3));
    let list = xmlrpc::parse_response(&doc, &xmlrpc::Limits::RESPONSE)
        .unwrap()
        .unwrap();
    assert_eq!(ids(&list).len(), 24_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_loses_its_listing_not_the_nodes() {
    // Past the nodes' timeout (500 ms) without taking anything, the
    // client's answer is dropped and the nodes' answers with it: they are
    // not held open for ever, and not taken for failures.
    let (_sims, gw, key, mut body) = streamed_listing(500).await;
    let mut doc = Vec::new();
    let first = http_body_util::BodyExt::frame(&mut body).await.unwrap();
    doc.extend_from_slice(&first.unwrap().into_data().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let end = loop {
        match http_body_util::BodyExt::frame(&mut body).await {
            Some(Ok(frame)) => doc.extend_from_slice(&frame.into_data().unwrap()),
            end => break end,
        }
    };
    // The body breaks off (the connection is reset), it does not end as
    // if whole.
    assert!(matches!(end, Some(Err(_))), "the body ended cleanly");
    assert!(xmlrpc::parse_response(&doc, &xmlrpc::Limits::RESPONSE).is_err());
    let metrics = gw.metrics().render();
    assert!(
        metrics
            .lines()
            .filter(|l| l.starts_with("gateway_node_errors_total{"))
            .all(|l| l.ends_with(" 0")),
        "{metrics}"
    );
    // The nodes serve the next listing at once.
    let list = answer(&gw, "system.listSystems", vec![key]).await.unwrap();
    assert_eq!(ids(&list).len(), 24_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_failing_before_its_first_batch_follows_the_policy() {
    // Cut inside the first batch: the answer has not started yet.
    let (_sims, gw) = cluster_with_a_relay(3000, break_off::<100_000>, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let fault = answer(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap_err();
    assert!(fault.string.contains("n3"), "{fault:?}");

    let (_sims, gw) = cluster_with_a_relay(3000, break_off::<100_000>, FanoutPolicy::Partial).await;
    let key = login(&gw).await;
    let list = answer(&gw, "system.listSystems", vec![key]).await.unwrap();
    assert_eq!(ids(&list).len(), 6000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_failing_mid_answer_cuts_a_strict_answer_off() {
    let (_sims, gw) = cluster_with_a_relay(3000, break_off::<700_000>, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let reply = gw
        .answer(MethodCall {
            name: "system.listSystems".into(),
            params: vec![key],
        })
        .await;
    let crate::route::Reply::Encoded(body) = reply else {
        panic!("the answer had not started when the node failed");
    };
    // The document never ends: the client sees a broken answer, not a
    // shorter list.
    assert!(axum::body::to_bytes(body, usize::MAX).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_failing_mid_answer_leaves_a_gap_in_a_partial_answer() {
    let (_sims, gw) = cluster_with_a_relay(3000, break_off::<700_000>, FanoutPolicy::Partial).await;
    let key = login(&gw).await;
    let list = answer(&gw, "system.listSystems", vec![key]).await.unwrap();
    let ids = ids(&list);
    // n1 and n2 whole, the start of n3's list.
    assert!(ids.len() > 6000 && ids.len() < 9000, "{}", ids.len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    assert!(
        gw.metrics()
            .render()
            .contains("gateway_fanout_gaps_total{node=\"n3\"} 1")
    );
}

/// A comment between two items from the middle of the list on: valid,
/// and read by the codec within its batch.
fn comments_between_items(answer: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    let half = answer.len() / 2;
    let at = half + memchr::memmem::find(&answer[half..], b"</struct></value>").unwrap() + 17;
    pieces(&inserted(&answer, at, b"<!-- a comment -->"))
}

/// A comment after the last item that holds what ends an item: the
/// batch cut inside it does not scan, and the probe gives up on the
/// comment after batches were sent.
fn a_comment_like_an_item_end(answer: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    let at = memchr::memmem::rfind(&answer, b"</data>").unwrap();
    pieces(&inserted(&answer, at, b"<!-- </struct></value> -->"))
}

/// `answer` with `text` put in at byte `at`.
fn inserted(answer: &[u8], at: usize, text: &[u8]) -> Vec<u8> {
    [&answer[..at], text, &answer[at..]].concat()
}

/// A struct member first in every item: batches cut after the last
/// struct that ends in them fall inside an item now and then, and the
/// probe cuts them instead.
fn a_struct_in_every_item(answer: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    let doc = std::str::from_utf8(&answer).unwrap().replace(
        "<value><struct>",
        "<value><struct><member><name>extra</name><value><struct>\
         <member><name>x</name><value><i4>1</i4></value></member></struct></value></member>",
    );
    pieces(doc.as_bytes())
}

/// Not a list at all, but a count.
fn a_count(_: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    pieces(&xmlrpc::encode_response(&Value::Int(7)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusual_answers_of_a_node_merge_as_the_values_do() {
    // With how many of n3's answers were read whole before merging.
    let cases = [
        (comments_between_items as Rewrite, 0),
        (a_struct_in_every_item, 0),
        (a_comment_like_an_item_end, 1),
        (a_count, 1),
    ];
    for (rewrite, whole) in cases {
        let (_sims, gw) = cluster_with_a_relay(3000, rewrite, FanoutPolicy::Strict).await;
        let key = login(&gw).await;
        let wire = answer(&gw, "system.listSystems", vec![key.clone()]).await;
        let value = call(&gw, "system.listSystems", vec![key.clone()]).await;
        assert_eq!(wire, value);
        let metrics = gw.metrics().render();
        let n3 = format!("gateway_fanout_whole_reads_total{{node=\"n3\"}} {whole}");
        assert!(
            metrics.contains(&n3)
                && metrics.contains("gateway_fanout_whole_reads_total{node=\"n1\"} 0"),
            "{metrics}"
        );
    }
}

/// The list in reverse order: not the order a server gives.
fn reversed(answer: Bytes) -> Vec<Result<Bytes, std::io::Error>> {
    let Ok(Ok(Value::Array(mut items))) =
        xmlrpc::parse_response(&answer, &xmlrpc::Limits::RESPONSE)
    else {
        panic!("not a list");
    };
    items.reverse();
    pieces(&xmlrpc::encode_response(&Value::Array(items)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_listing_out_of_order_is_merged_as_it_came() {
    // Several batches per node: n3 is out of order within its batches and
    // from one batch to the next.
    let (_sims, gw) = cluster_with_a_relay(3000, reversed, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let wire = answer(&gw, "system.listSystems", vec![key]).await.unwrap();
    let ids = ids(&wire);
    assert_eq!(ids.len(), 9000);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 9000);
    let names_of = |node: &str| -> Vec<String> {
        let part = format!(".{node}.");
        wire.as_array()
            .unwrap()
            .iter()
            .filter_map(|s| member(s, "name").as_str())
            .filter(|name| name.contains(&part))
            .map(str::to_owned)
            .collect()
    };
    // Every node's items in the order it sent them: n1 and n2 in their
    // servers' order, n3 in reverse.
    for node in ["node1", "node2"] {
        let names = names_of(node);
        assert_eq!(names.len(), 3000, "{node}");
        assert!(names.is_sorted(), "{node}");
    }
    let n3 = names_of("node3");
    assert_eq!(n3.len(), 3000);
    assert!(n3.is_sorted_by(|a, b| a >= b));
    // None of the nodes' answers was read whole first.
    let metrics = gw.metrics().render();
    assert!(
        metrics.contains("gateway_fanout_whole_reads_total{node=\"n3\"} 0"),
        "{metrics}"
    );
}

/// One simulated node called directly, in its own session.
struct Direct {
    rpc: compat_tests::harness::RpcClient,
    key: Value,
}

impl Direct {
    async fn on(sim: &Sim) -> Direct {
        let rpc = compat_tests::harness::RpcClient::new(sim.url.clone());
        let key = Value::string(rpc.login("admin", "admin").await.unwrap());
        Direct { rpc, key }
    }

    async fn call(&self, name: &str, mut params: Vec<Value>) -> Value {
        params.insert(0, self.key.clone());
        self.rpc.call(name, params).await.unwrap()
    }

    /// The node's own id for the group called `name`.
    async fn group_id(&self, name: &str) -> i64 {
        let group = self
            .call("systemgroup.getDetails", vec![Value::string(name)])
            .await;
        member(&group, "id").as_i64().unwrap()
    }

    /// Whether the node's system `local` is in its group `name`.
    async fn in_group(&self, local: i32, name: &str) -> bool {
        let groups = self
            .call("system.listGroups", vec![Value::Int(local)])
            .await;
        groups.as_array().unwrap().iter().any(|g| {
            member(g, "system_group_name").as_str() == Some(name)
                && member(g, "subscribed") == &Value::Int(1)
        })
    }
}

/// The item of `list` whose `field` is `value`.
fn item_with<'v>(list: &'v Value, field: &str, value: &str) -> &'v Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|g| member(g, field).as_str() == Some(value))
        .unwrap_or_else(|| panic!("no {field} {value} in {list:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_group_is_one_group_under_one_id_over_nodes_that_number_it_apart() {
    let (sims, gw) = cluster(3, 3, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let mut direct = Vec::new();
    for sim in &sims {
        direct.push(Direct::on(sim).await);
    }
    let mut locals = HashSet::new();
    for d in &direct {
        locals.insert(d.group_id("web-servers").await);
    }
    assert_eq!(locals.len(), 3, "the nodes number their groups apart");
    let ident = gw.directory().identity();
    let mut systems = Vec::new();
    for node in ["n1", "n2", "n3"] {
        let sid = system_on(&gw, &key, node).await;
        let loc = ident.system_location(sid).await.unwrap().unwrap();
        systems.push((sid, loc.local));
    }

    // First seen beside a system of n1: n1's id alone is known, so the
    // membership change on n2 asks n2 for its id by the group's name.
    let listed = call(
        &gw,
        "system.listGroups",
        vec![key.clone(), systems[0].0.into()],
    )
    .await
    .unwrap();
    let web = item_with(&listed, "system_group_name", "web-servers");
    let web_id = member(web, "id").clone();
    assert_eq!(
        member(web, "sgid"),
        &Value::string(web_id.as_i64().unwrap().to_string())
    );
    for (sid, _) in &systems {
        let set = vec![
            key.clone(),
            (*sid).into(),
            web_id.clone(),
            Value::Bool(true),
        ];
        assert_eq!(
            call(&gw, "system.setGroupMembership", set).await,
            Ok(Value::Int(1))
        );
    }
    for (d, (_, local)) in direct.iter().zip(&systems) {
        assert!(d.in_group(*local, "web-servers").await);
    }

    // Listed by every node, the group is one item under its one id, its
    // systems counted over the nodes.
    let mut counted = 0;
    for d in &direct {
        let one = d
            .call("systemgroup.getDetails", vec!["web-servers".into()])
            .await;
        counted += member(&one, "system_count").as_i64().unwrap();
    }
    let all = call(&gw, "systemgroup.listAllGroups", vec![key.clone()])
        .await
        .unwrap();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|g| member(g, "name").as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let web = item_with(&all, "name", "web-servers");
    assert_eq!(member(web, "id"), &web_id);
    assert_eq!(member(web, "system_count").as_i64(), Some(counted));
    let details = call(
        &gw,
        "systemgroup.getDetails",
        vec![key.clone(), web_id.clone()],
    )
    .await
    .unwrap();
    assert_eq!(member(&details, "system_count").as_i64(), Some(counted));

    // Groups nested in a listing of systems: the systems and their groups
    // under cluster ids, each node's own ids for the group all mapped to one.
    let entitled = call(
        &gw,
        "system.listSystemGroupsForSystemsWithEntitlement",
        vec![key.clone(), "salt_entitlement".into()],
    )
    .await
    .unwrap();
    let entitled = entitled.as_array().unwrap();
    assert_eq!(entitled.len(), 9, "3 systems on each of 3 nodes");
    let mut in_web = Vec::new();
    for item in entitled {
        let sid = member(item, "id").as_i64().unwrap();
        for g in member(item, "system_groups").as_array().unwrap() {
            if member(g, "name").as_str() == Some("web-servers") {
                assert_eq!(member(g, "id"), &web_id, "system {sid}");
                in_web.push(sid);
            }
        }
    }
    assert_eq!(in_web.len() as i64, counted, "{in_web:?}");
    for (sid, _) in &systems {
        assert!(in_web.contains(&i64::from(*sid)), "{sid} in {in_web:?}");
    }
    let unknown = vec![key.clone(), "no_such_entitlement".into()];
    let fault = call(
        &gw,
        "system.listSystemGroupsForSystemsWithEntitlement",
        unknown,
    )
    .await
    .unwrap_err();
    assert_eq!(fault.code, -212, "{fault:?}");

    // A group made through the gateway: each node's id is recorded from
    // its answer; an activation key gets each node's id for it.
    let eu = call(
        &gw,
        "systemgroup.create",
        vec![key.clone(), "eu".into(), "EU".into()],
    )
    .await
    .unwrap();
    let eu_id = member(&eu, "id").clone();
    let made = vec![
        key.clone(),
        "groups".into(),
        "k".into(),
        "".into(),
        Value::Array(vec![]),
        Value::Bool(false),
    ];
    call(&gw, "activationkey.create", made).await.unwrap();
    let add = vec![
        key.clone(),
        "1-groups".into(),
        Value::Array(vec![eu_id.clone()]),
    ];
    assert_eq!(
        call(&gw, "activationkey.addServerGroups", add).await,
        Ok(Value::Int(1))
    );
    for d in &direct {
        let keys = d.call("activationkey.listActivationKeys", vec![]).await;
        let k = item_with(&keys, "key", "1-groups");
        let local = d.group_id("eu").await;
        assert_eq!(
            member(k, "server_group_ids"),
            &Value::Array(vec![Value::Int(local as i32)])
        );
    }
    let keys = call(&gw, "activationkey.listActivationKeys", vec![key.clone()])
        .await
        .unwrap();
    let k = item_with(&keys, "key", "1-groups");
    assert_eq!(
        member(k, "server_group_ids"),
        &Value::Array(vec![eu_id.clone()])
    );

    // A group's recurring schedule: made on every node for its own id of
    // the group, listed under the cluster ids of schedule and group.
    let props = schedule_props("GROUP", eu_id.as_i64().unwrap() as i32, "eu nightly");
    let made = call(&gw, "recurring.highstate.create", vec![key.clone(), props])
        .await
        .unwrap();
    assert_eq!(parts_of(&gw, ObjectKind::Schedule, &made).await.len(), 3);
    for d in &direct {
        let local = d.group_id("eu").await;
        let listed = d
            .call(
                "recurring.listByEntity",
                vec!["GROUP".into(), Value::Int(local as i32)],
            )
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:?}");
    }
    let listed = schedules_of(&gw, key.clone(), "GROUP", eu_id.clone()).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(member(&listed[0], "id"), &made);
    assert_eq!(member(&listed[0], "entity_id"), &eu_id);
    assert_eq!(
        recurring(&gw, "delete", key.clone(), made)
            .await
            .map(|_| ()),
        Ok(())
    );

    // Deleted everywhere, then made again: a new id; the old one is gone.
    let delete = vec![key.clone(), "eu".into()];
    assert_eq!(
        call(&gw, "systemgroup.delete", delete).await,
        Ok(Value::Int(1))
    );
    let again = call(
        &gw,
        "systemgroup.create",
        vec![key.clone(), "eu".into(), "EU".into()],
    )
    .await
    .unwrap();
    assert_ne!(member(&again, "id"), &eu_id);
    let gone = call(
        &gw,
        "systemgroup.getDetails",
        vec![key.clone(), eu_id.clone()],
    )
    .await;
    let gone = gone.unwrap_err();
    assert_eq!(gone.code, 2201, "{gone:?}");

    // A group only n2 has: the node that lacks it answers its own fault.
    direct[1]
        .call("systemgroup.create", vec!["n2-only".into(), "".into()])
        .await;
    let all = call(&gw, "systemgroup.listAllGroups", vec![key.clone()])
        .await
        .unwrap();
    let only = member(item_with(&all, "name", "n2-only"), "id").clone();
    // A shared read goes on past the nodes that lack it, whichever node
    // it starts at.
    for _ in 0..3 {
        let formulas = vec![key.clone(), only.clone()];
        let read = call(&gw, "formula.getFormulasByGroupId", formulas).await;
        assert_eq!(read, Ok(Value::Array(vec![])));
    }
    // Asked of every node, answered by the one that has it.
    let details = call(
        &gw,
        "systemgroup.getDetails",
        vec![key.clone(), only.clone()],
    )
    .await
    .unwrap();
    assert_eq!(member(&details, "name"), &Value::string("n2-only"));
    assert_eq!(member(&details, "id"), &only);
    let set = |sid: i32| vec![key.clone(), sid.into(), only.clone(), Value::Bool(true)];
    assert_eq!(
        call(&gw, "system.setGroupMembership", set(systems[1].0)).await,
        Ok(Value::Int(1))
    );
    let f = call(&gw, "system.setGroupMembership", set(systems[0].0))
        .await
        .unwrap_err();
    assert_eq!(
        f,
        Fault::new(
            2201,
            "redstone.xmlrpc.XmlRpcFault: Unable to locate or access server group: n2-only"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_id_the_cluster_never_handed_out_reaches_no_node() {
    let (sims, gw) = cluster(3, 2, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    // Every node may hold an object 99 of its own: none of them is the
    // client's, which never saw a cluster id 99. The gateway answers what
    // one server answers for an id it lacks.
    let (one, one_key) = alone(&sims[0]).await;
    for (method, params) in [
        ("image.delete", vec![Value::Int(99)]),
        ("image.getDetails", vec![Value::Int(99)]),
        (
            "system.provisioning.snapshot.deleteSnapshot",
            vec![Value::Int(99)],
        ),
        (
            "system.provisioning.snapshot.listSnapshotPackages",
            vec![Value::Int(99)],
        ),
        ("ansible.removeAnsiblePath", vec![Value::Int(99)]),
        (
            "subscriptionmatching.pinnedsubscription.delete",
            vec![Value::Int(99)],
        ),
        ("system.deletePackageProfile", vec![Value::Int(99)]),
        (
            "user.notifications.deleteNotifications",
            vec![Value::Array(vec![Value::Int(99)])],
        ),
        (
            "user.notifications.setNotificationsRead",
            vec![Value::Array(vec![Value::Int(99)])],
        ),
    ] {
        let with = |key: &Value| [vec![key.clone()], params.clone()].concat();
        let cluster = call(&gw, method, with(&key)).await;
        let server = call(&one, method, with(&one_key)).await;
        match (&cluster, &server) {
            // The server's text ends "for org <id>", which the gateway
            // does not know.
            (Err(c), Err(s)) if method == "system.deletePackageProfile" => {
                assert_eq!(c.code, s.code);
                assert!(s.string.starts_with(&c.string), "{c:?} {s:?}");
            }
            _ => assert_eq!(cluster, server, "{method}"),
        }
    }
    // A change naming shared data by name still reaches every node.
    let made = vec![
        key.clone(),
        "still".into(),
        "k".into(),
        "".into(),
        Value::Array(vec![]),
        Value::Bool(false),
    ];
    assert_eq!(
        call(&gw, "activationkey.create", made).await,
        Ok(Value::string("1-still"))
    );
}

/// A gateway over a shared store holding node `a` (active, at
/// `serving_url`) and node `id` (at `url`) in `state`; and the store.
async fn with_follower(
    serving_url: &str,
    id: &str,
    url: &str,
    state: NodeState,
) -> (Gateway, Store) {
    let store = Store::memory();
    store
        .put_json(Keys::node("a"), &node_record("a", serving_url))
        .await
        .unwrap();
    let mut follower = node_record(id, url);
    follower.state = state;
    store.put_json(Keys::node(id), &follower).await.unwrap();
    let dir = Arc::new(Directory::from_store(store.clone()).await.unwrap());
    (Gateway::new(GatewayConfig::default(), dir), store)
}

/// A staged node follows the changes of shared data the serving nodes
/// take, best effort: what it refuses is counted, and the call answers as
/// the serving nodes did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_node_follows_shared_changes() {
    let a = Sim::start("alpha", 1, 2).await;
    let b = Sim::start("beta", 2, 0).await;
    let (gw, store) = with_follower(&a.url, "b", &b.url, NodeState::Staged).await;
    let key = login(&gw).await;

    // Listings read the serving node only.
    let systems = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&systems).len(), 2);
    // A change reaches the staged node too.
    call(
        &gw,
        "systemgroup.create",
        vec![key.clone(), "edge".into(), "At the edge".into()],
    )
    .await
    .unwrap();
    let (on_b, b_key) = alone(&b).await;
    let group = |name: &str| {
        call(
            &on_b,
            "systemgroup.getDetails",
            vec![b_key.clone(), name.into()],
        )
    };
    // The answer does not wait for the staged node: it gets the change
    // soon after.
    eventually("edge on the staged node", || async {
        group("edge").await.is_ok()
    })
    .await;
    assert_eq!(
        member(&group("edge").await.unwrap(), "description").as_str(),
        Some("At the edge")
    );
    // One it refuses (it holds that group already) is counted; the call
    // still answers as the serving node did.
    call(
        &on_b,
        "systemgroup.create",
        vec![b_key.clone(), "lab".into(), "Only here".into()],
    )
    .await
    .unwrap();
    let made = call(
        &gw,
        "systemgroup.create",
        vec![key.clone(), "lab".into(), "Lab machines".into()],
    )
    .await
    .unwrap();
    assert_eq!(member(&made, "description").as_str(), Some("Lab machines"));
    eventually("a miss counted for b", || async {
        gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"b\"} 1")
    })
    .await;
    // And in the shared store, where the director reads it.
    eventually("b's miss in the store", || async {
        store.get_json::<u64>(Keys::node_misses("b")).await.unwrap() == Some(1)
    })
    .await;
    // With its method, for the administrator (never its arguments),
    // written after the count.
    let calls = async || {
        store
            .get_json::<director::model::MissedCalls>(Keys::node_missed_calls("b"))
            .await
            .unwrap()
            .unwrap_or_default()
    };
    eventually("b's missed call in the store", || async {
        !calls().await.is_empty()
    })
    .await;
    let calls = calls().await;
    let missed: Vec<(&str, u64)> = calls.iter().map(|(m, c)| (m.as_str(), c.count)).collect();
    assert_eq!(missed, [("systemgroup.create", 1)]);
    let group_made = calls["systemgroup.create"];
    assert!(
        group_made.first > 0 && group_made.first == group_made.last,
        "{group_made:?}"
    );
    assert_eq!(
        member(&group("lab").await.unwrap(), "description").as_str(),
        Some("Only here")
    );
    // Changes reach it in the order the gateway made them: a group made and
    // deleted at once is gone there too, once a later change arrived.
    for (method, name) in [
        ("systemgroup.create", "tmp"),
        ("systemgroup.delete", "tmp"),
        ("systemgroup.create", "after"),
    ] {
        let mut params = vec![key.clone(), name.into()];
        if method.ends_with("create") {
            params.push("for a moment".into());
        }
        call(&gw, method, params).await.unwrap();
    }
    eventually("after on the staged node", || async {
        group("after").await.is_ok()
    })
    .await;
    assert!(group("tmp").await.is_err());
    assert!(
        gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"b\"} 1")
    );

    // A replica shares the session, and the node key the first gateway
    // got on the staged node with it; on a node staged since, it has none
    // and no password to get one: the change is made on the others, the
    // miss counted.
    let c = Sim::start("gamma", 3, 0).await;
    let mut later = node_record("c", &c.url);
    later.state = NodeState::Staged;
    store.put_json(Keys::node("c"), &later).await.unwrap();
    let replica = Gateway::new(
        GatewayConfig::default(),
        Arc::new(Directory::from_store(store.clone()).await.unwrap()),
    );
    call(
        &replica,
        "systemgroup.create",
        vec![key.clone(), "dmz".into(), "Outside".into()],
    )
    .await
    .unwrap();
    eventually("dmz on b, a miss counted for c", || async {
        group("dmz").await.is_ok()
            && replica
                .metrics()
                .render()
                .contains("gateway_staged_misses_total{node=\"c\"} 1")
    })
    .await;
    let (on_c, c_key) = alone(&c).await;
    let on_c = call(&on_c, "systemgroup.getDetails", vec![c_key, "dmz".into()]).await;
    assert!(on_c.is_err(), "{on_c:?}");
}

/// Waits until `holds` (checked every 20 ms, for up to 10 s): for what
/// the gateway does after it answered.
pub(crate) async fn eventually<F, Fut>(what: &str, holds: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if holds().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("not within 10 s: {what}");
}

/// An activation key made without a name has one name on every node: the
/// gateway makes it, not each server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_made_without_a_name_has_one_name_everywhere() {
    let (sims, gw) = cluster(3, 1, FanoutPolicy::Strict).await;
    let key = login(&gw).await;
    let made = call(
        &gw,
        "activationkey.create",
        vec![
            key.clone(),
            "".into(),
            "Anonymous".into(),
            "".into(),
            Value::Array(vec![]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    let made = made.as_str().unwrap().to_owned();
    let name = made.strip_prefix("1-").unwrap();
    assert!(
        name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()),
        "{made}"
    );
    for sim in &sims {
        let (node, node_key) = alone(sim).await;
        let held = call(
            &node,
            "activationkey.getDetails",
            vec![node_key, made.as_str().into()],
        )
        .await
        .unwrap();
        assert_eq!(member(&held, "description").as_str(), Some("Anonymous"));
    }
}

/// A relay to the node at `url` that holds every connection until
/// `true` is sent on the answer's sender: a node that does not answer yet.
async fn gated(url: &str) -> (String, tokio::sync::watch::Sender<bool>) {
    let target = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (open, opened) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let mut opened = opened.clone();
            let target = target.clone();
            tokio::spawn(async move {
                if opened.wait_for(|open| *open).await.is_err() {
                    return;
                }
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{addr}/rpc/api"), open)
}

/// A gateway that stops first sends the changes its staged nodes wait
/// for; what it cannot send in time is counted as missed, not dropped
/// unseen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_gateway_sends_what_staged_nodes_wait_for() {
    use super::broadcast::finish_following;

    let a = Sim::start("alpha", 1, 0).await;
    let stopping = async |staged: &Sim, prefix: &str| {
        let (url, open) = gated(&staged.url).await;
        let (gw, _) = with_follower(&a.url, "s", &url, NodeState::Staged).await;
        let key = login(&gw).await;
        for name in ["one", "two", "three"] {
            call(
                &gw,
                "systemgroup.create",
                vec![key.clone(), format!("{prefix}-{name}").into(), "".into()],
            )
            .await
            .unwrap();
        }
        (gw, open)
    };
    let on = async |sim: &Sim, prefix: &str| {
        let (direct, key) = alone(sim).await;
        let mut found = 0;
        for name in ["one", "two", "three"] {
            let name = format!("{prefix}-{name}");
            if call(
                &direct,
                "systemgroup.getDetails",
                vec![key.clone(), name.into()],
            )
            .await
            .is_ok()
            {
                found += 1;
            }
        }
        found
    };

    // Every change waits at the staged node's gate when the gateway stops;
    // the gate opens while it sends them.
    let b = Sim::start("beta", 2, 0).await;
    let (gw, open) = stopping(&b, "b").await;
    assert_eq!(on(&b, "b").await, 0, "held at the gate");
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let _ = open.send(true);
    });
    finish_following(&gw, std::time::Duration::from_secs(10)).await;
    assert_eq!(on(&b, "b").await, 3, "all sent before it stopped");
    assert!(
        !gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"s\"}")
    );
    // A change made once the gateway began to stop (a request that ran
    // past the grace period) is counted at once, not queued.
    let key = login(&gw).await;
    call(
        &gw,
        "systemgroup.create",
        vec![key, "b-late".into(), "".into()],
    )
    .await
    .unwrap();
    assert!(
        gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"s\"} 1")
    );

    // A staged node that never answers: the change under way runs out its
    // 3 s, the two behind it are counted without being sent.
    let c = Sim::start("gamma", 3, 0).await;
    let (gw, _closed) = stopping(&c, "c").await;
    finish_following(&gw, std::time::Duration::from_millis(200)).await;
    assert!(
        gw.metrics()
            .render()
            .contains("gateway_staged_misses_total{node=\"s\"} 3"),
        "{}",
        gw.metrics().render()
    );
    // In the shared store too, before the gateway is done stopping.
    let store = gw.directory().store();
    assert_eq!(
        store.get_json::<u64>(Keys::node_misses("s")).await.unwrap(),
        Some(3)
    );
    let calls = store
        .get_json::<director::model::MissedCalls>(Keys::node_missed_calls("s"))
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(calls["systemgroup.create"].count, 3, "{calls:?}");
    assert_eq!(on(&c, "c").await, 0);
}

/// A change queued for a staged node is counted in the store before its
/// call answers, and settled there once sent or counted as missed: a
/// gateway killed with it still queued leaves it unsettled for the
/// director to see. A gateway that stops with everything settled removes
/// its record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_for_a_staged_node_are_counted_before_they_answer() {
    use director::model::{FollowCount, FollowMarks, follows_by_gateway, unsettled_since};

    use super::broadcast::finish_following;

    let a = Sim::start("alpha", 1, 0).await;
    let b = Sim::start("beta", 2, 0).await;
    let (url, open) = gated(&b.url).await;
    let (gw, store) = with_follower(&a.url, "s", &url, NodeState::Staged).await;
    let record = Keys::node_follows("s", gw.instance());
    let count = async || store.get_json::<FollowCount>(&record).await.unwrap();
    let reaches = async |what: &str, queued: u64, settled: u64| {
        let wanted = Some(FollowCount { queued, settled });
        eventually(what, || async { count().await == wanted }).await;
    };
    let key = login(&gw).await;
    let group = async |name: &str| {
        call(
            &gw,
            "systemgroup.create",
            vec![key.clone(), name.into(), "".into()],
        )
        .await
        .unwrap();
    };
    assert_eq!(count().await, None);
    group("held").await;
    // Answered while the staged node's gate holds the change: counted
    // already, not settled.
    let held = FollowCount {
        queued: 1,
        settled: 0,
    };
    assert_eq!(count().await, Some(held));
    // Killed now, this gateway would leave it unsettled: the director
    // refuses to activate `s` on marks taken before it.
    let rows = follows_by_gateway(
        "s",
        store
            .scan_prefix_json::<FollowCount>(Keys::node_follows_of("s"), 10)
            .await
            .unwrap(),
    );
    let (open_changes, holders) = unsettled_since(&FollowMarks::new(), &rows);
    assert_eq!((open_changes, holders), (1, vec![gw.instance().to_owned()]));

    let _ = open.send(true);
    reaches("the change settled once sent", 1, 1).await;
    // One the staged node refuses (it holds the group): settled as
    // missed, the miss counted first.
    let (on_b, b_key) = alone(&b).await;
    call(
        &on_b,
        "systemgroup.create",
        vec![b_key, "twice".into(), "".into()],
    )
    .await
    .unwrap();
    group("twice").await;
    reaches("the refused change settled", 2, 2).await;
    assert_eq!(
        store.get_json::<u64>(Keys::node_misses("s")).await.unwrap(),
        Some(1)
    );
    // Removed (as the director does with settled records), it is written
    // whole again with the next change: this gateway's totals.
    store.delete(&record).await.unwrap();
    group("after").await;
    reaches("the totals written again", 3, 3).await;
    // Stopping with everything settled: the record goes.
    finish_following(&gw, std::time::Duration::from_secs(5)).await;
    assert_eq!(count().await, None);
}

/// A failed node (its heartbeats stopped; the server may be up) takes no
/// routed calls but follows the changes of shared data as a staged one
/// does, so that it comes back active with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_node_follows_shared_changes() {
    let a = Sim::start("alpha", 1, 2).await;
    let f = Sim::start("phi", 2, 3).await;
    let (gw, _) = with_follower(&a.url, "f", &f.url, NodeState::Failed).await;
    let key = login(&gw).await;
    let systems = call(&gw, "system.listSystems", vec![key.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&systems).len(), 2, "the failed node's are not listed");
    call(
        &gw,
        "systemgroup.create",
        vec![key, "while-failed".into(), "".into()],
    )
    .await
    .unwrap();
    let (on_f, f_key) = alone(&f).await;
    eventually("the group on the failed node", || async {
        call(
            &on_f,
            "systemgroup.getDetails",
            vec![f_key.clone(), "while-failed".into()],
        )
        .await
        .is_ok()
    })
    .await;
}
