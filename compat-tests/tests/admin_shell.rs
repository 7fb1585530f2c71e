//! The admin shell's (spacecmd's) call sequences, replayed by
//! `python/admin_shell.py` against one `uyuni-sim` node and against a
//! gateway in front of three, started as `gateway_cluster.rs` starts them:
//! real processes, static node list, strict fan-out.

use std::path::Path;

use compat_tests::harness::{lab_gateway, lab_sim, python_checks};

const SIM: &str = env!("CARGO_BIN_EXE_uyuni-sim");
const GATEWAY: &str = env!("CARGO_BIN_EXE_cluster-gateway");
const SYSTEMS: usize = 40;

#[test]
fn spacecmd_call_sequences_run_alike_on_one_node_and_on_the_cluster() {
    let sim = |name, seed| lab_sim(Path::new(SIM), name, seed, SYSTEMS);
    let (s1, s2, s3) = (sim("alpha", "11"), sim("beta", "22"), sim("gamma", "33"));
    let flags = ["--fanout-policy", "strict", "--timeout-ms", "5000"];
    let gw = lab_gateway(Path::new(GATEWAY), &[&s1, &s2, &s3], &flags);

    let one = python_checks("admin_shell.py", &s1.rpc_url(), SYSTEMS);
    assert!(one.contains("from 1 node(s)"), "{one}");
    let cluster = python_checks("admin_shell.py", &gw.rpc_url(), 3 * SYSTEMS);
    assert!(cluster.contains("from 3 node(s)"), "{cluster}");
}
