//! Black-box tests of the `gateway` binary: three `uyuni-sim` nodes with
//! different data behind gateways started as real processes with a static
//! node list; driven by Python's `xmlrpc.client` (a script that also runs
//! unchanged against one simulator) and by the project's XML-RPC client.
//! Also the binary's one-off `carry-systems` between two simulators.
//!
//! Not here: draining a node through the director (its systems' calls then
//! reach the new owner under the same cluster ids): `director_drain.rs`
//! runs gateway processes linked to the director binary, and
//! `demo_cluster.rs` the demo's single process.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use compat_tests::harness::{RpcClient, RpcError, Running, lab_gateway, lab_sim, python_checks};
use xmlrpc::Value;

const SIM: &str = env!("CARGO_BIN_EXE_uyuni-sim");
const SYSTEMS: usize = 40;

/// The gateway's entry point, built in this build (see
/// `src/bin/cluster-gateway.rs`).
fn gateway_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cluster-gateway"))
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_struct().unwrap().get("id").unwrap().as_i64().unwrap())
        .collect()
}

fn node_of(system: &Value) -> String {
    let name = system
        .as_struct()
        .unwrap()
        .get("name")
        .unwrap()
        .as_str()
        .unwrap();
    name.split('.').nth(1).unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_cluster_behind_two_gateways_and_a_node_dies() {
    let binary = gateway_binary();
    let sim = |name, seed| lab_sim(Path::new(SIM), name, seed, SYSTEMS);
    let (s1, s2, mut s3) = (sim("alpha", "11"), sim("beta", "22"), sim("gamma", "33"));
    let gateway = |policy| {
        let flags = ["--fanout-policy", policy, "--timeout-ms", "5000"];
        lab_gateway(&binary, &[&s1, &s2, &s3], &flags)
    };
    let (strict, partial) = (gateway("strict"), gateway("partial"));

    // The same script against one node and against the cluster.
    python_checks("gateway_compat.py", &s1.rpc_url(), SYSTEMS);
    let out = python_checks("gateway_compat.py", &strict.rpc_url(), 3 * SYSTEMS);
    assert!(out.contains("from 3 node(s)"), "{out}");

    let rpc_strict = RpcClient::new(strict.rpc_url());
    let rpc_partial = RpcClient::new(partial.rpc_url());
    let key_s: Value = rpc_strict.login("admin", "admin").await.unwrap().into();
    let key_p: Value = rpc_partial.login("admin", "admin").await.unwrap().into();
    // Each gateway has its own identity map here (no shared director
    // store): each lists the systems, and its own ids are used with it.
    let mut before = Vec::new();
    for (rpc, key) in [(&rpc_strict, &key_s), (&rpc_partial, &key_p)] {
        let list = rpc
            .call("system.listSystems", vec![key.clone()])
            .await
            .unwrap();
        assert_eq!(ids(&list).iter().collect::<HashSet<_>>().len(), 3 * SYSTEMS);
        before.push(list);
    }

    // A node dies mid-test.
    s3.kill();
    let fault = match rpc_strict
        .call("system.listSystems", vec![key_s.clone()])
        .await
    {
        Err(RpcError::Fault(f)) => f,
        other => panic!("strict fan-out must fail: {other:?}"),
    };
    assert!(
        fault.string.contains("cluster nodes could not answer: n3"),
        "{fault:?}"
    );
    let some = rpc_partial
        .call("system.listSystems", vec![key_p.clone()])
        .await
        .expect("partial fan-out answers from the living nodes");
    assert_eq!(ids(&some).len(), 2 * SYSTEMS);
    assert!(
        some.as_array()
            .unwrap()
            .iter()
            .all(|s| node_of(s) != "gamma")
    );

    // System calls for systems on healthy nodes keep working on both.
    for (list, (rpc, key)) in before
        .iter()
        .zip([(&rpc_strict, &key_s), (&rpc_partial, &key_p)])
    {
        for s in list.as_array().unwrap() {
            let id = s.as_struct().unwrap().get("id").unwrap().clone();
            let got = rpc
                .call("system.getDetails", vec![key.clone(), id.clone()])
                .await;
            if node_of(s) == "gamma" {
                match got {
                    Err(RpcError::Fault(f)) => {
                        assert!(f.string.contains("cluster node n3 is unavailable"), "{f:?}")
                    }
                    other => panic!("a system of the dead node: {other:?}"),
                }
            } else {
                let details = got.expect("a system of a living node");
                assert_eq!(details.as_struct().unwrap().get("id"), Some(&id));
            }
        }
    }
    let metrics = reqwest::get(format!("{}/metrics", partial.base_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("gateway_fanout_gaps_total{node=\"n3\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("gateway_node_latency_seconds_bucket{node=\"n1\""));
}

/// What an operator reads when a node cannot be reached: the fault names
/// the node, the gateway's log says why. Proxy variables are said to be
/// unused, without their values (they may hold a proxy's password), and a
/// login's password never reaches the log, even at debug level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_says_why_a_node_is_unreachable_and_holds_no_password() {
    const WAIT: Duration = Duration::from_secs(10);
    let password = "login-Pa55word";
    let sim = |name| {
        let args = ["--name", name, "--systems", "5", "--password", password];
        Running::start(Path::new(SIM), &args).expect("uyuni-sim starts")
    };
    let (reachable, plain) = (sim("alpha"), sim("beta"));
    // `https` towards a node that speaks plain HTTP: the handshake fails.
    let https = plain.rpc_url().replacen("http://", "https://", 1);
    let (n1, n2) = (
        format!("n1@lab={}", reachable.rpc_url()),
        format!("n2@lab={https}"),
    );
    let args = ["--listen", "127.0.0.1:0", "--node", &n1, "--node", &n2];
    let proxy_password = "proxy-Pa55word";
    let proxy = format!("http://user:{proxy_password}@proxy.invalid:3128");
    let env = [("RUST_LOG", "debug"), ("HTTPS_PROXY", proxy.as_str())];
    let (gateway, log) =
        Running::start_logged(&gateway_binary(), &args, &env).expect("gateway starts");
    let warned = log.wait_for(
        &["proxy variables are set but not used", "HTTPS_PROXY"],
        WAIT,
    );
    assert!(warned.is_some(), "no proxy warning in {:#?}", log.lines());

    // The login leaves the node out (it is logged into when it answers);
    // a listing over both nodes (policy strict) names it.
    let rpc = RpcClient::new(gateway.rpc_url());
    let key = rpc.login("admin", password).await.expect("a login");
    let fault = rpc.fault("system.listSystems", vec![key.into()]).await;
    assert!(
        fault.string.contains("n2") && fault.string.contains("unreachable"),
        "{fault:?}"
    );
    let why = log.wait_for(&["could not connect to the node", &https, "cause="], WAIT);
    assert!(why.is_some(), "no cause in {:#?}", log.lines());

    // n1 took the password in its login: nothing in the log, debug lines
    // included, to the gateway's last line.
    let mut gateway = gateway;
    gateway.kill();
    let lines = log.all_lines(WAIT).expect("the gateway's whole log");
    assert!(
        lines.iter().any(|l| l.contains("DEBUG")),
        "no debug lines: {lines:#?}"
    );
    for line in lines {
        assert!(!line.contains(password), "a password in the log: {line}");
        assert!(
            !line.contains(proxy_password),
            "a password in the log: {line}"
        );
    }
}

/// `member` of struct `v`.
fn member_of<'v>(v: &'v Value, member: &str) -> &'v Value {
    v.as_struct()
        .and_then(|s| s.get(member))
        .unwrap_or_else(|| panic!("no {member} in {v:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carry_systems_gives_a_moved_system_what_it_had() {
    let (s1, s2) = (
        lab_sim(Path::new(SIM), "alpha", "11", 3),
        lab_sim(Path::new(SIM), "beta", "22", 0),
    );
    let (old, new) = (RpcClient::new(s1.rpc_url()), RpcClient::new(s2.rpc_url()));
    let old_key: Value = old.login("admin", "admin").await.unwrap().into();
    let new_key: Value = new.login("admin", "admin").await.unwrap().into();
    for (rpc, key) in [(&old, &old_key), (&new, &new_key)] {
        rpc.call(
            "system.custominfo.createKey",
            vec![key.clone(), "rack".into(), "Rack position".into()],
        )
        .await
        .unwrap();
    }
    // A system of the old node, in a group and with a custom value.
    let listed = old
        .call("system.listSystems", vec![old_key.clone()])
        .await
        .unwrap();
    let sid = member_of(&listed.as_array().unwrap()[0], "id").clone();
    let details = old
        .call("system.getDetails", vec![old_key.clone(), sid.clone()])
        .await
        .unwrap();
    let minion = member_of(&details, "minion_id")
        .as_str()
        .unwrap()
        .to_owned();
    let group = old
        .call(
            "systemgroup.getDetails",
            vec![old_key.clone(), "web-servers".into()],
        )
        .await
        .unwrap();
    old.call(
        "system.setGroupMembership",
        vec![
            old_key.clone(),
            sid.clone(),
            member_of(&group, "id").clone(),
            Value::Bool(true),
        ],
    )
    .await
    .unwrap();
    let mut rack = xmlrpc::Struct::new();
    rack.push("rack", "r42".into());
    old.call(
        "system.setCustomValues",
        vec![old_key.clone(), sid.clone(), Value::Struct(rack)],
    )
    .await
    .unwrap();
    // The move: its minion registers with the new node.
    let side = s2.rpc_url().replace("/rpc/api", "/uyuni-sim/v1/systems");
    reqwest::Client::new()
        .post(side)
        .json(&serde_json::json!({
            "minion_id": minion,
            "machine_id": member_of(&details, "machine_id").as_str().unwrap(),
            "hostname": member_of(&details, "hostname").as_str().unwrap(),
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();

    let carry = |flags: &[&str]| {
        std::process::Command::new(gateway_binary())
            .args(["--node", &format!("n1@lab={}", s1.rpc_url())])
            .args(["--node", &format!("n2@lab={}", s2.rpc_url())])
            .args(["carry-systems", "--from", "n1", "--to", "n2"])
            .args(flags)
            .env("GATEWAY_SEED_PASSWORD", "admin")
            .output()
            .unwrap()
    };
    // Without a director nothing tells a copy a move left: refused whole.
    let refused = carry(&["--delete-copies"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--delete-copies needs the director"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(refused.stdout.is_empty(), "nothing carried");
    let out = carry(&[]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.lines().any(|l| l.starts_with("completed")
            && l.contains(&minion)
            && l.ends_with("group web-servers; custom values rack")),
        "{report}"
    );
    let map = new
        .call("system.getMinionIdMap", vec![new_key.clone()])
        .await
        .unwrap();
    let moved = member_of(&map, &minion).clone();
    let values = new
        .call(
            "system.getCustomValues",
            vec![new_key.clone(), moved.clone()],
        )
        .await
        .unwrap();
    assert_eq!(member_of(&values, "rack").as_str(), Some("r42"));
    let groups = new
        .call("system.listGroups", vec![new_key.clone(), moved])
        .await
        .unwrap();
    let web = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| member_of(g, "system_group_name").as_str() == Some("web-servers"))
        .unwrap();
    assert_eq!(member_of(web, "subscribed").as_i64(), Some(1));
}
