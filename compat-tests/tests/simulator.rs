//! Black-box tests of the `uyuni-sim` binary: real processes on loopback,
//! driven by the project's XML-RPC client and by Python's `xmlrpc.client`.

use std::path::Path;
use std::process::Command;

use compat_tests::harness::{RpcClient, Running};
use xmlrpc::{Struct, Value};

const SIM: &str = env!("CARGO_BIN_EXE_uyuni-sim");

fn start(args: &[&str]) -> Running {
    Running::start(Path::new(SIM), args).expect("uyuni-sim starts")
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_i64().expect("an int"))
        .collect()
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.as_struct()
        .and_then(|s| s.get(name))
        .unwrap_or_else(|| panic!("no field {name} in {v:?}"))
}

fn ids_of(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|s| field(s, "id").as_i64().expect("int id"))
        .collect()
}

#[test]
fn python_xmlrpc_client_lists_50000_systems_and_gets_the_real_faults() {
    let sim = start(&["--systems", "50000", "--name", "big"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/single_node.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(sim.rpc_url())
        .arg("50000")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(
        out.status.success(),
        "python client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[tokio::test]
async fn systems_details_search_and_delete() {
    let sim = start(&["--systems", "300", "--name", "n1", "--seed", "7"]);
    let rpc = RpcClient::new(sim.rpc_url());
    let key = rpc.login("admin", "admin").await.unwrap();
    let list = rpc
        .call("system.listSystems", vec![key.as_str().into()])
        .await
        .unwrap();
    let ids = ids_of(&list);
    assert_eq!(ids.len(), 300);
    assert_eq!(*ids.iter().min().unwrap(), 1_000_010_000);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| field(s, "name").as_str().unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "listed by name");
    assert!(matches!(
        field(&list.as_array().unwrap()[0], "last_checkin"),
        Value::DateTime(_)
    ));

    let active = rpc
        .call("system.listActiveSystems", vec![key.as_str().into()])
        .await
        .unwrap();
    let active = ids_of(&active);
    assert!(
        !active.is_empty() && active.len() < 300,
        "some systems are inactive"
    );

    let sid = ids[0];
    let details = rpc
        .call(
            "system.getDetails",
            vec![key.as_str().into(), Value::Int(sid as i32)],
        )
        .await
        .unwrap();
    assert_eq!(field(&details, "id").as_i64(), Some(sid));
    let name = field(&details, "profile_name").as_str().unwrap().to_owned();
    assert!(name.ends_with(".n1.example.test"), "{name}");

    let found = rpc
        .call(
            "system.searchByName",
            vec![
                key.as_str().into(),
                format!("^{}$", regex_escape(&name)).into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(ids_of(&found), vec![sid]);
    let web = rpc
        .call(
            "system.searchByName",
            vec![key.as_str().into(), "^web-".into()],
        )
        .await
        .unwrap();
    assert!(ids_of(&web).len() < 300);

    let fault = rpc
        .fault(
            "system.deleteSystems",
            vec![
                key.as_str().into(),
                vec![Value::Int(sid as i32), Value::Int(42)].into(),
            ],
        )
        .await;
    assert_eq!(fault.code, -208);
    // All or nothing: the known system survived the failed call.
    rpc.call(
        "system.getDetails",
        vec![key.as_str().into(), Value::Int(sid as i32)],
    )
    .await
    .unwrap();

    let done = rpc
        .call(
            "system.deleteSystems",
            vec![
                key.as_str().into(),
                vec![Value::Int(sid as i32)].into(),
                "FORCE_DELETE".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done, Value::Int(1));
    let fault = rpc
        .fault(
            "system.getDetails",
            vec![key.as_str().into(), Value::Int(sid as i32)],
        )
        .await;
    assert_eq!(
        (fault.code, fault.string.as_str()),
        (-208, "redstone.xmlrpc.XmlRpcFault: No such system")
    );
}

fn regex_escape(s: &str) -> String {
    s.replace('.', "\\.")
}

#[tokio::test]
async fn package_installs_become_actions_and_can_be_canceled() {
    let sim = start(&["--systems", "20", "--name", "n2"]);
    let rpc = RpcClient::new(sim.rpc_url());
    let key = rpc.login("admin", "admin").await.unwrap();
    let k = || Value::from(key.as_str());
    let ids = ids_of(&rpc.call("system.listSystems", vec![k()]).await.unwrap());
    let channels = rpc
        .call("channel.listSoftwareChannels", vec![k()])
        .await
        .unwrap();
    let label = field(&channels.as_array().unwrap()[0], "label")
        .as_str()
        .unwrap()
        .to_owned();
    let packages = rpc
        .call(
            "channel.software.listAllPackages",
            vec![k(), label.as_str().into()],
        )
        .await
        .unwrap();
    let package = field(&packages.as_array().unwrap()[0], "id").clone();
    let when = Value::DateTime("20260101T10:00:00".into());

    let many = rpc
        .call(
            "system.schedulePackageInstall",
            vec![
                k(),
                vec![Value::Int(ids[0] as i32), Value::Int(ids[1] as i32)].into(),
                vec![package.clone()].into(),
                when.clone(),
            ],
        )
        .await
        .unwrap();
    let action = ints(&many)[0];
    let one = rpc
        .call(
            "system.schedulePackageInstall",
            vec![
                k(),
                Value::Int(ids[2] as i32),
                vec![package.clone()].into(),
                when.clone(),
            ],
        )
        .await
        .unwrap();
    assert!(
        matches!(one, Value::Int(_)),
        "the sid overload answers one action id: {one:?}"
    );

    let in_progress = rpc
        .call("schedule.listInProgressActions", vec![k()])
        .await
        .unwrap();
    let row = in_progress
        .as_array()
        .unwrap()
        .iter()
        .find(|a| field(a, "id").as_i64() == Some(action))
        .expect("the action is in progress");
    assert_eq!(field(row, "inProgressSystems"), &Value::Int(2));

    let events = rpc
        .call(
            "system.listSystemEvents",
            vec![k(), Value::Int(ids[0] as i32)],
        )
        .await
        .unwrap();
    assert_eq!(ids_of(&events), vec![action]);
    let filtered = rpc
        .call(
            "system.listSystemEvents",
            vec![k(), Value::Int(ids[0] as i32), "Patch Update".into()],
        )
        .await
        .unwrap();
    assert!(ids_of(&filtered).is_empty());

    let fault = rpc
        .fault(
            "system.schedulePackageInstall",
            vec![
                k(),
                Value::Int(ids[0] as i32),
                vec![Value::Int(999_999)].into(),
                when.clone(),
            ],
        )
        .await;
    assert_eq!(fault.code, -209);
    let fault = rpc
        .fault(
            "schedule.cancelActions",
            vec![
                k(),
                vec![Value::Int(action as i32), Value::Int(77_777)].into(),
            ],
        )
        .await;
    assert_eq!(fault.code, 2700);

    rpc.call(
        "schedule.cancelActions",
        vec![k(), vec![Value::Int(action as i32)].into()],
    )
    .await
    .unwrap();
    let in_progress = rpc
        .call("schedule.listInProgressActions", vec![k()])
        .await
        .unwrap();
    assert!(!ids_of(&in_progress).contains(&action));
    let all = rpc
        .call("schedule.listAllActions", vec![k()])
        .await
        .unwrap();
    assert_eq!(ids_of(&all).len(), 2);
    let failed = rpc
        .call("schedule.listFailedActions", vec![k()])
        .await
        .unwrap();
    assert_eq!(ids_of(&failed), vec![action]);
}

/// The structs of a listing without their `id` members.
fn without_ids(list: &Value) -> Vec<Vec<(String, Value)>> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let Value::Struct(s) = item else {
                panic!("not a struct: {item:?}")
            };
            s.iter()
                .filter(|(k, _)| *k != "id")
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn shared_data_is_alike_within_a_zone_and_systems_differ_per_node() {
    let a = start(&["--systems", "50", "--name", "a", "--zone", "eu"]);
    let b = start(&[
        "--systems",
        "50",
        "--name",
        "b",
        "--zone",
        "eu",
        "--seed",
        "9",
    ]);
    let c = start(&["--systems", "50", "--name", "c", "--zone", "us"]);
    let mut answers = Vec::new();
    let mut errata = Vec::new();
    for sim in [&a, &b, &c] {
        let rpc = RpcClient::new(sim.rpc_url());
        let key = rpc.login("admin", "admin").await.unwrap();
        let channels = rpc
            .call("channel.listSoftwareChannels", vec![key.as_str().into()])
            .await
            .unwrap();
        let label = field(&channels.as_array().unwrap()[0], "label")
            .as_str()
            .unwrap()
            .to_owned();
        let packages = rpc
            .call(
                "channel.software.listAllPackages",
                vec![key.as_str().into(), label.into()],
            )
            .await
            .unwrap();
        let keys = rpc
            .call(
                "activationkey.listActivationKeys",
                vec![key.as_str().into()],
            )
            .await
            .unwrap();
        let users = rpc
            .call("user.listUsers", vec![key.as_str().into()])
            .await
            .unwrap();
        let systems = rpc
            .call("system.listSystems", vec![key.as_str().into()])
            .await
            .unwrap();
        let patches = rpc
            .call(
                "channel.software.listErrata",
                vec![
                    key.as_str().into(),
                    "sle-product-sles15-sp6-updates-x86_64".into(),
                ],
            )
            .await
            .unwrap();
        assert!(!patches.as_array().unwrap().is_empty());
        errata.push((without_ids(&patches), patches));
        answers.push((
            channels,
            without_ids(&packages),
            keys,
            users,
            systems,
            packages,
        ));
    }
    assert_eq!(answers[0].0, answers[1].0);
    // The same packages, each node numbering them from its own start.
    assert_eq!(answers[0].1, answers[1].1);
    assert_ne!(answers[0].5, answers[1].5, "package ids differ per node");
    assert_eq!(answers[0].2, answers[1].2);
    assert_eq!(answers[0].3, answers[1].3);
    assert_ne!(answers[0].4, answers[1].4, "systems differ per node");
    assert_ne!(
        answers[0].1, answers[2].1,
        "another zone has other packages"
    );
    // Errata likewise: the same advisories, numbered per node.
    assert_eq!(errata[0].0, errata[1].0);
    assert_ne!(errata[0].1, errata[1].1, "erratum ids differ per node");
    assert_ne!(errata[0].0, errata[2].0, "another zone has other errata");
}

#[tokio::test]
async fn keys_users_groups_and_orgs() {
    let sim = start(&["--systems", "30", "--name", "n3", "--password", "s3cret-pw"]);
    let rpc = RpcClient::new(sim.rpc_url());
    assert_eq!(
        rpc.fault("auth.login", vec!["admin".into(), "admin".into()])
            .await
            .code,
        2950
    );
    let key = rpc.login("admin", "s3cret-pw").await.unwrap();
    let k = || Value::from(key.as_str());

    let created = rpc
        .call(
            "activationkey.create",
            vec![
                k(),
                "web-eu".into(),
                "EU web".into(),
                "".into(),
                Value::Array(vec![]),
                false.into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(created.as_str(), Some("1-web-eu"));
    let dup = rpc
        .fault(
            "activationkey.create",
            vec![
                k(),
                "web-eu".into(),
                "again".into(),
                "".into(),
                Value::Int(5),
                Value::Array(vec![]),
                false.into(),
            ],
        )
        .await;
    assert_eq!(dup.code, 1090);
    let keys = rpc
        .call("activationkey.listActivationKeys", vec![k()])
        .await
        .unwrap();
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|x| field(x, "key").as_str() == Some("1-web-eu"))
    );
    assert_eq!(
        rpc.call("activationkey.delete", vec![k(), "1-web-eu".into()])
            .await
            .unwrap(),
        Value::Int(1)
    );
    assert_eq!(
        rpc.fault("activationkey.delete", vec![k(), "1-web-eu".into()])
            .await
            .code,
        -1
    );

    let made = rpc
        .call(
            "user.create",
            vec![
                k(),
                "jdoe1".into(),
                "password1".into(),
                "J".into(),
                "Doe".into(),
                "j@example.test".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(made, Value::Int(1));
    let users = rpc.call("user.listUsers", vec![k()]).await.unwrap();
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| field(u, "login").as_str() == Some("jdoe1"))
    );
    let jkey = rpc.login("jdoe1", "password1").await.unwrap();
    assert_eq!(
        rpc.fault("user.delete", vec![jkey.as_str().into(), "admin".into()])
            .await
            .code,
        -23
    );
    assert_eq!(
        rpc.call("user.delete", vec![k(), "jdoe1".into()])
            .await
            .unwrap(),
        Value::Int(1)
    );
    assert_eq!(
        rpc.fault("user.delete", vec![k(), "jdoe1".into()])
            .await
            .code,
        -213
    );
    assert_eq!(
        rpc.fault("system.listSystems", vec![jkey.as_str().into()])
            .await
            .code,
        -1,
        "sessions of a deleted user die"
    );
    let roles = rpc
        .call("user.listAssignableRoles", vec![k()])
        .await
        .unwrap();
    assert!(
        roles
            .as_array()
            .unwrap()
            .contains(&Value::from("org_admin"))
    );

    let group = rpc
        .call(
            "systemgroup.create",
            vec![k(), "eu-web".into(), "EU web servers".into()],
        )
        .await
        .unwrap();
    assert_eq!(field(&group, "system_count"), &Value::Int(0));
    let groups = rpc
        .call("systemgroup.listAllGroups", vec![k()])
        .await
        .unwrap();
    assert!(
        groups
            .as_array()
            .unwrap()
            .iter()
            .any(|g| field(g, "name").as_str() == Some("eu-web"))
    );

    let orgs = rpc.call("org.listOrgs", vec![k()]).await.unwrap();
    assert_eq!(
        field(&orgs.as_array().unwrap()[0], "systems"),
        &Value::Int(30)
    );

    let by_label = rpc
        .call(
            "channel.software.getDetails",
            vec![k(), "sle-product-sles15-sp6-pool-x86_64".into()],
        )
        .await
        .unwrap();
    let by_id = rpc
        .call(
            "channel.software.getDetails",
            vec![k(), field(&by_label, "id").clone()],
        )
        .await
        .unwrap();
    assert_eq!(by_label, by_id);
    assert_eq!(
        rpc.fault("channel.software.getDetails", vec![k(), "nope".into()])
            .await
            .code,
        -210
    );
}

#[tokio::test]
async fn side_endpoint_registers_and_removes_systems() {
    let sim = start(&["--systems", "5", "--name", "n4"]);
    let http = reqwest::Client::new();
    let base = format!("{}/uyuni-sim/v1", sim.base_url);
    let reg = serde_json::json!({"minion_id": "new.example.test", "machine_id": "ab".repeat(16), "hostname": "new.example.test"});
    let res = http
        .post(format!("{base}/systems"))
        .json(&reg)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(id, 1_000_010_005);
    let again = http
        .post(format!("{base}/systems"))
        .json(&reg)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "re-registration keeps the system");
    let bad = http
        .post(format!("{base}/systems"))
        .body("{\"password\": \"hunter2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(!bad.text().await.unwrap().contains("hunter2"));

    let rpc = RpcClient::new(sim.rpc_url());
    let key = rpc.login("admin", "admin").await.unwrap();
    let details = rpc
        .call(
            "system.getDetails",
            vec![key.as_str().into(), Value::Int(id as i32)],
        )
        .await
        .unwrap();
    assert_eq!(
        field(&details, "minion_id").as_str(),
        Some("new.example.test")
    );
    let by_minion = http
        .get(format!("{base}/minions/new.example.test"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_minion.json::<serde_json::Value>().await.unwrap()["id"],
        id
    );

    assert_eq!(
        http.delete(format!("{base}/systems/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        http.delete(format!("{base}/systems/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        rpc.fault(
            "system.getDetails",
            vec![key.as_str().into(), Value::Int(id as i32)]
        )
        .await
        .code,
        -208
    );
}

#[tokio::test]
async fn multicall_introspection_and_bad_requests() {
    let sim = start(&["--systems", "3", "--name", "n5"]);
    let rpc = RpcClient::new(sim.rpc_url());
    let key = rpc.login("admin", "admin").await.unwrap();
    let call = |name: &str, params: Vec<Value>| -> Value {
        Struct::new()
            .with("methodName", name.into())
            .with("params", Value::Array(params))
            .into()
    };
    let results = rpc
        .call(
            "system.multicall",
            vec![Value::Array(vec![
                call("api.getVersion", vec![]),
                call(
                    "system.getDetails",
                    vec![key.as_str().into(), Value::Int(1)],
                ),
            ])],
        )
        .await
        .unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results[0], Value::Array(vec!["28".into()]));
    assert_eq!(field(&results[1], "faultCode"), &Value::Int(-208));

    let namespaces = rpc.call("api.getApiNamespaces", vec![]).await.unwrap();
    assert!(namespaces.as_struct().unwrap().get("system").is_some());
    let calls = rpc
        .call("api.getApiNamespaceCallList", vec!["system".into()])
        .await
        .unwrap();
    assert!(calls.as_struct().unwrap().len() > 100);

    // A malformed body never comes back in the fault.
    let secret = "hunter2-very-secret";
    let body = format!(
        "<?xml version='1.0'?><methodCall><methodName>auth.login</methodName><params><param><value>{secret}</param></params>"
    );
    match rpc.post(body.into_bytes()).await {
        Err(compat_tests::harness::RpcError::Fault(fault)) => {
            assert!(!fault.string.contains(secret), "{fault}");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http.get(sim.rpc_url()).send().await.unwrap();
    assert_eq!(res.status(), 302);
}
