//! Black-box tests of the gateway's HTTP (JSON) API: `uyuni-sim` nodes
//! behind the real gateway binary, driven over plain HTTP.
//!
//! - The compat scenarios of `gateway_cluster.rs` again over JSON, with
//!   reqwest here and with a urllib script (`python/gateway_rest.py`), and
//!   sessions shared with the XML-RPC face.
//! - `/openapi.json` passes `openapi-spec-validator` as OpenAPI 3.1.
//! - Debian's headless Chromium, driven by playwright-core, opens Swagger
//!   UI at `/docs`: every namespace renders, "Try it out" logs in (the
//!   browser keeps the cookie) and lists the systems; screenshots are kept
//!   under `test-artifacts/`.
//! - schemathesis sends generated requests from `/openapi.json`: no 5xx,
//!   answers as documented, and the gateway and nodes stay up.
//!
//! The tools come from `scripts/deps/rest.sh`. A missing tool skips its
//! test with a note, except under `CI=true`, where it fails it. Every tool
//! runs under a time limit in a temporary directory; processes are killed
//! when their handles drop.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use compat_tests::harness::{RpcClient, Running, lab_gateway, lab_sim};
use serde_json::{Value as Json, json};

const SIM: &str = env!("CARGO_BIN_EXE_uyuni-sim");
const GATEWAY: &str = env!("CARGO_BIN_EXE_cluster-gateway");
const SYSTEMS: usize = 30;
const NO_METHOD: &str = "No method exists with the matching parameters";

fn sim(name: &str, seed: &str, systems: usize) -> Running {
    lab_sim(Path::new(SIM), name, seed, systems)
}

fn gateway(sims: &[&Running]) -> Running {
    lab_gateway(Path::new(GATEWAY), sims, &[])
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("compat-tests lives in the workspace")
        .to_path_buf()
}

/// Whether a tool the deps script installs is there; a note when it is not.
/// Under `CI=true` a missing tool fails the test.
fn available(present: bool, what: &str) -> bool {
    if !present {
        let msg = format!("{what} is missing: run scripts/deps/rest.sh");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    present
}

/// The path of a tool, if [`available`].
fn tool(path: PathBuf, what: &str) -> Option<PathBuf> {
    available(path.exists(), &format!("{what} ({})", path.display())).then_some(path)
}

/// Runs `cmd` in its own process group, killed (the whole group) after
/// `limit`.
fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("the tool starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => {
            // Leftovers of the group (browser helpers) go too.
            kill_group(pid);
            out.expect("the tool runs")
        }
        Err(_) => {
            kill_group(pid);
            panic!("{cmd:?} did not finish within {limit:?}");
        }
    }
}

fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}

fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A JSON client that keeps the session cookie, as a browser does.
struct Rest {
    http: reqwest::Client,
    api: String,
    cookie: Option<String>,
}

impl Rest {
    fn new(base: &str) -> Rest {
        Rest {
            http: reqwest::Client::new(),
            api: format!("{base}/rhn/manager/api/"),
            cookie: None,
        }
    }

    /// Status and body of one request.
    async fn send(&self, method: &str, path: &str, body: Option<Json>) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.api));
        if let Some(key) = &self.cookie {
            req = req.header("cookie", format!("pxt-session-cookie={key}"));
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("the gateway answers");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// The result of a call that must succeed.
    async fn call(&self, method: &str, path: &str, body: Option<Json>) -> Json {
        let (status, text) = self.send(method, path, body).await;
        assert_eq!(status, 200, "{path}: {text}");
        let answer: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["success"], json!(true), "{path}: {answer}");
        answer["result"].clone()
    }

    async fn get(&self, path: &str) -> Json {
        self.call("GET", path, None).await
    }

    async fn post(&self, path: &str, body: Json) -> Json {
        self.call("POST", path, Some(body)).await
    }

    /// Logs in; keeps the cookie.
    async fn login(&mut self, user: &str, password: &str) -> (u16, Json) {
        let resp = self
            .http
            .post(format!("{}auth/login", self.api))
            .json(&json!({"login": user, "password": password}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if let Some(cookie) = resp.headers().get("set-cookie") {
            let cookie = cookie.to_str().unwrap();
            let value = cookie.split(';').next().unwrap();
            self.cookie = value.strip_prefix("pxt-session-cookie=").map(str::to_owned);
        }
        (status, resp.json().await.unwrap())
    }
}

fn node_of(system: &Json) -> String {
    system["name"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compat_scenarios_over_json() {
    let (s1, s2, s3) = (
        sim("alpha", "11", SYSTEMS),
        sim("beta", "22", SYSTEMS),
        sim("gamma", "33", SYSTEMS),
    );
    let gw = gateway(&[&s1, &s2, &s3]);
    let mut rest = Rest::new(&gw.base_url);

    // Without a session: two calls answer, the rest is 401 with no body.
    let version = rest.get("api/getVersion").await;
    assert!(version.as_str().unwrap().parse::<f64>().unwrap() >= 10.8);
    assert_eq!(
        rest.send("GET", "system/listSystems", None).await,
        (401, String::new())
    );
    let (status, answer) = rest.login("admin", "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(
        answer,
        json!({"success": false, "message": "Either the password or username is incorrect."})
    );
    assert!(rest.cookie.is_none());
    rest.cookie = Some(format!("12345x{}", "0".repeat(64)));
    assert_eq!(
        rest.send("GET", "system/listSystems", None).await,
        (401, String::new())
    );

    let (status, answer) = rest.login("admin", "admin").await;
    assert_eq!((status, answer), (200, json!({"success": true})));
    let key = rest.cookie.clone().expect("the login sets the cookie");

    // Every node's systems, under unique cluster ids.
    let systems = rest.get("system/listSystems").await;
    let systems = systems.as_array().unwrap();
    assert_eq!(systems.len(), 3 * SYSTEMS);
    let ids: HashSet<i64> = systems.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), systems.len());
    assert!(ids.iter().all(|&id| id > 0 && id <= i64::from(i32::MAX)));
    let nodes: HashSet<String> = systems.iter().map(node_of).collect();
    assert_eq!(nodes.len(), 3);

    // Details on each node.
    for node in &nodes {
        for s in systems.iter().filter(|s| node_of(s) == *node).take(3) {
            let details = rest
                .get(&format!("system/getDetails?sid={}", s["id"]))
                .await;
            assert_eq!(details["id"], s["id"]);
            assert_eq!(details["profile_name"], s["name"]);
        }
    }

    // One package install on systems of two nodes, in one call.
    let first = &systems[0];
    let other = systems
        .iter()
        .find(|s| node_of(s) != node_of(first))
        .unwrap();
    let targets = json!([first["id"], other["id"]]);
    let channels = rest.get("channel/listSoftwareChannels").await;
    let label = channels[0]["label"].as_str().unwrap();
    let packages = rest
        .get(&format!(
            "channel/software/listAllPackages?channelLabel={label}"
        ))
        .await;
    let actions = rest
        .post(
            "system/schedulePackageInstall",
            json!({"sids": targets, "packageIds": [packages[0]["id"]],
                   "earliestOccurrence": "2024-06-01T08:00:00"}),
        )
        .await;
    let actions = actions.as_array().unwrap().clone();
    assert!(!actions.is_empty());
    let in_progress: Vec<Json> = rest
        .get("schedule/listInProgressActions")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert!(
        actions.iter().all(|a| in_progress.contains(a)),
        "{actions:?}"
    );
    for sid in targets.as_array().unwrap() {
        let events = rest
            .get(&format!("system/listSystemEvents?sid={sid}"))
            .await;
        let events: Vec<&Json> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["id"])
            .collect();
        assert!(actions.iter().any(|a| events.contains(&a)), "{events:?}");
    }

    // An activation key on every node, then gone again.
    let made = rest
        .post(
            "activationkey/create",
            json!({"key": "gw-rest", "description": "made by gateway_rest.rs",
                   "baseChannelLabel": "", "entitlements": [], "universalDefault": false}),
        )
        .await;
    assert_eq!(made, json!("1-gw-rest"));
    let keys = |list: Json| -> Vec<Json> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|k| k["key"].clone())
            .collect()
    };
    assert!(keys(rest.get("activationkey/listActivationKeys").await).contains(&made));
    assert_eq!(
        rest.post("activationkey/delete", json!({"key": made}))
            .await,
        json!(1)
    );
    assert!(!keys(rest.get("activationkey/listActivationKeys").await).contains(&made));

    // The error answers.
    assert_eq!(rest.send("GET", "system/noSuchMethod", None).await.0, 404);
    assert_eq!(
        rest.send("GET", "nosuchnamespace/doThing", None).await.0,
        404
    );
    for path in [
        "system/getDetails?sid=not-a-number",
        "system/getDetails?sid=1&extra=2",
    ] {
        assert_eq!(
            rest.send("GET", path, None).await,
            (400, NO_METHOD.to_owned()),
            "{path}"
        );
    }
    let (status, text) = rest.send("GET", "system/getDetails?sid=42", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Json>(&text).unwrap(),
        json!({"success": false, "message": "No such system"})
    );
    assert_eq!(
        rest.send("POST", "system/listSystems", Some(json!({})))
            .await
            .0,
        405
    );

    // The cookie is an XML-RPC session key and the other way round.
    let rpc = RpcClient::new(gw.rpc_url());
    let over_xml = rpc
        .call("system.listSystems", vec![key.clone().into()])
        .await
        .unwrap();
    assert_eq!(over_xml.as_array().unwrap().len(), 3 * SYSTEMS);
    let mut other_rest = Rest::new(&gw.base_url);
    other_rest.cookie = Some(rpc.login("admin", "admin").await.unwrap());
    assert_eq!(
        other_rest
            .get("system/listSystems")
            .await
            .as_array()
            .unwrap()
            .len(),
        3 * SYSTEMS
    );

    // The same scenarios from a urllib script.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/gateway_rest.py");
    let out = run_bounded(
        Command::new("python3")
            .arg(script)
            .arg(&gw.base_url)
            .arg((3 * SYSTEMS).to_string()),
        Duration::from_secs(120),
    );
    let printed = output_text(&out);
    println!("{printed}");
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains(" passed, 0 failed") && printed.contains("from 3 node(s)"),
        "{printed}"
    );

    assert_eq!(
        rest.send("GET", "auth/logout", None).await,
        (200, r#"{"success":true}"#.to_owned())
    );
    assert_eq!(rest.send("GET", "system/listSystems", None).await.0, 401);
    assert!(
        rpc.call("system.listSystems", vec![key.into()])
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_passes_the_validator() {
    let Some(python) = tool(repo_root().join(".venv-test/bin/python"), "the test venv") else {
        return;
    };
    let installed = Command::new(&python)
        .args(["-c", "import openapi_spec_validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !available(installed, "openapi-spec-validator (in .venv-test)") {
        return;
    }
    let node = sim("alpha", "1", 2);
    let gw = gateway(&[&node]);
    let doc: Json = reqwest::get(format!("{}/openapi.json", gw.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], json!("3.1.0"));
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("openapi.json");
    std::fs::write(&good, doc.to_string()).unwrap();
    // A broken copy must fail, or the validator checks nothing.
    let mut broken = doc.clone();
    broken["paths"]["/rhn/manager/api/system/getDetails"]["get"]["parameters"][0]["in"] =
        json!("body");
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, broken.to_string()).unwrap();

    let validate = |file: &Path| {
        run_bounded(
            Command::new(&python)
                .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
                .arg(file),
            Duration::from_secs(120),
        )
    };
    let out = validate(&good);
    assert!(
        out.status.success() && output_text(&out).contains(": OK"),
        "{}",
        output_text(&out)
    );
    let out = validate(&bad);
    assert!(
        !out.status.success(),
        "the broken document passed: {}",
        output_text(&out)
    );
    println!(
        "openapi-spec-validator (OpenAPI 3.1): OK; {} paths",
        doc["paths"].as_object().unwrap().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_renders_in_chromium_and_try_it_out_works() {
    let Some(chromium) = tool(PathBuf::from("/usr/bin/chromium"), "Debian's chromium") else {
        return;
    };
    let playwright = repo_root().join(".venv-test/js/node_modules/playwright-core");
    let Some(playwright) = tool(playwright, "playwright-core") else {
        return;
    };
    let (s1, s2) = (sim("alpha", "1", 5), sim("beta", "2", 5));
    let gw = gateway(&[&s1, &s2]);
    let artifacts = repo_root().join("test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let docs_shot = artifacts.join("gateway-rest-docs.png");
    let try_shot = artifacts.join("gateway-rest-try-it-out.png");
    for shot in [&docs_shot, &try_shot] {
        let _ = std::fs::remove_file(shot);
    }

    // Swagger UI in Chromium (a fresh profile): the namespaces render, then
    // "Try it out" logs in and lists the systems, as a person would.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/swagger_try_it_out.cjs");
    let profile = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = run_bounded(
        Command::new("node")
            .arg(script)
            .arg(&gw.base_url)
            .arg(&docs_shot)
            .arg(&try_shot)
            .arg(profile.path())
            .env("PLAYWRIGHT_CORE", &playwright)
            .env("CHROMIUM", &chromium),
        Duration::from_secs(150),
    );
    let printed = output_text(&out);
    println!("in {:?}", started.elapsed());
    assert!(out.status.success(), "{printed}");
    let line = printed.lines().find(|l| l.starts_with('{')).unwrap();
    let seen: Json = serde_json::from_str(line).unwrap();

    let namespaces: HashSet<&str> = spec::spec()
        .entries_in(spec::Release::Master)
        .map(|e| e.namespace.as_str())
        .collect();
    let tags: HashSet<&str> = seen["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags, namespaces, "the namespaces Swagger UI shows");
    assert_eq!(seen["login"], json!(200), "{line}");
    assert_eq!(seen["cookie"], json!(true), "{line}");
    assert_eq!(seen["list"], json!(200), "{line}");
    assert_eq!(seen["success"], json!(true), "{line}");
    assert_eq!(seen["systems"], json!(10), "{line}");
    for shot in [&docs_shot, &try_shot] {
        let size = std::fs::metadata(shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 20_000, "{}: {size} bytes", shot.display());
        println!("screenshot: {}", shot.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors() {
    let Some(st) = tool(
        repo_root().join(".venv-test/bin/schemathesis"),
        "schemathesis",
    ) else {
        return;
    };
    let (s1, s2) = (sim("alpha", "1", 10), sim("beta", "2", 10));
    let gw = gateway(&[&s1, &s2]);
    let mut rest = Rest::new(&gw.base_url);
    assert_eq!(rest.login("admin", "admin").await.0, 200);
    let key = rest.cookie.clone().unwrap();

    // One generated case per operation (positive and negative data), one
    // worker (this schemathesis trips over its own threads with two), in a
    // scratch directory (it keeps a database of examples in its cwd).
    let scratch = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = run_bounded(
        Command::new(&st)
            .current_dir(scratch.path())
            .arg("run")
            .arg(format!("{}/openapi.json", gw.base_url))
            .args(["--phases", "fuzzing", "--max-examples", "1", "--workers", "1"])
            .args(["--seed", "20260521", "--no-color", "--generation-database", "none"])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            .args(["--header", &format!("Cookie: pxt-session-cookie={key}")])
            // Logging out would end the session the run uses.
            .args(["--exclude-path", "/rhn/manager/api/auth/logout"])
            .args(["--request-timeout", "30"]),
        Duration::from_secs(180),
    );
    let printed = output_text(&out);
    let summary = printed
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect::<Vec<_>>()
        .join("\n");
    println!("{summary}\n(in {:?})", started.elapsed());
    assert!(out.status.success(), "{printed}");
    let counts = printed
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or_else(|| panic!("no counts in:\n{printed}"));
    let generated: usize = counts.split_whitespace().next().unwrap().parse().unwrap();
    assert!(generated >= 500, "{counts}");
    assert!(
        counts.trim() == format!("{generated} generated, {generated} passed"),
        "{counts}"
    );

    // Nothing crashed: the gateway and both nodes still answer.
    assert!(rest.get("api/getVersion").await.is_string());
    let health = reqwest::get(format!("{}/healthz", gw.base_url))
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert!(health.text().await.unwrap().contains("serving nodes: 2"));
    for s in [&s1, &s2] {
        let rpc = RpcClient::new(s.rpc_url());
        assert!(rpc.call("api.getVersion", vec![]).await.is_ok());
    }
}
