//! The admin shell's (spacecmd's) call sequences, replayed by
//! `python/admin_shell.py` against one `uyuni-sim` node and against a
//! gateway in front of three, started as `gateway_cluster.rs` starts them:
//! real processes, static node list, strict fan-out.

use std::path::Path;
use std::process::Command;

use compat_tests::harness::Running;

const SIM: &str = env!("CARGO_BIN_EXE_uyuni-sim");
const GATEWAY: &str = env!("CARGO_BIN_EXE_cluster-gateway");
const SYSTEMS: usize = 40;

fn sim(name: &str, seed: &str) -> Running {
    let systems = SYSTEMS.to_string();
    let args = [
        "--name",
        name,
        "--seed",
        seed,
        "--systems",
        &systems,
        "--zone",
        "lab",
    ];
    Running::start(Path::new(SIM), &args).expect("uyuni-sim starts")
}

fn gateway(sims: &[&Running]) -> Running {
    let mut args = vec![
        "--listen".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--fanout-policy".to_owned(),
        "strict".to_owned(),
        "--timeout-ms".to_owned(),
        "5000".to_owned(),
    ];
    for (i, s) in sims.iter().enumerate() {
        args.push("--node".to_owned());
        args.push(format!("n{}@lab={}", i + 1, s.rpc_url()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Running::start(Path::new(GATEWAY), &args).expect("gateway starts")
}

/// Runs the script against `url`; its output must end in `N passed, 0 failed`.
fn admin_shell(url: &str, expected: usize) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/admin_shell.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(url)
        .arg(expected.to_string())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{url}:\n{stdout}{stderr}");
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "the admin shell's calls failed against {url}:\n{stdout}\n{stderr}"
    );
    stdout
}

#[test]
fn spacecmd_call_sequences_run_alike_on_one_node_and_on_the_cluster() {
    let (s1, s2, s3) = (sim("alpha", "11"), sim("beta", "22"), sim("gamma", "33"));
    let gw = gateway(&[&s1, &s2, &s3]);

    let one = admin_shell(&s1.rpc_url(), SYSTEMS);
    assert!(one.contains("from 1 node(s)"), "{one}");
    let cluster = admin_shell(&gw.rpc_url(), 3 * SYSTEMS);
    assert!(cluster.contains("from 3 node(s)"), "{cluster}");
}
