//! The `clientd` binary, black-box: `clientd run --config FILE` says it is
//! running, checks in, carries out a move (with stand-in restart and check
//! commands), and stops on SIGTERM; `clientd assignment` and `clientd
//! identity` print what they say.

mod support;

use std::process::Stdio;
use std::time::Duration;

use director::model::MoveOutcome;
use support::director::{FakeDirector, move_to};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_clientd");
const FINGER: &str = include_str!("fixtures/minion.pub.finger");

fn write_config(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let salt = support::fake_minion(dir, "m1.example.com");
    let mut config = support::config(dir, url, &salt, vec!["true".into()], vec!["true".into()]);
    config.salt.forget_master_key = false;
    let path = dir.join("clientd.toml");
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
    path
}

#[tokio::test]
async fn run_moves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let director = FakeDirector::start().await;
    director.direct(move_to(9, "m1.example.com", "node-b.example.com"));
    let config = write_config(dir.path(), &director.url);

    let mut child = Command::new(BIN)
        .args(["run", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .expect("clientd prints its banner")
        .unwrap();
    assert_eq!(first.as_deref(), Some("clientd m1.example.com running"));

    let report = director.report(9, Duration::from_secs(20)).await;
    assert_eq!(report.outcome, MoveOutcome::Done);
    let dropin =
        std::fs::read_to_string(dir.path().join("salt/minion.d/cluster-master.conf")).unwrap();
    assert!(
        dropin.contains("master: \"node-b.example.com\""),
        "{dropin}"
    );
    let checkin = &director.checkins(1, Duration::from_secs(5)).await[0];
    assert_eq!(checkin.fingerprint, FINGER.trim());
    assert_eq!(
        checkin.machine_id.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(director.seen().unauthorized, 0);

    // The assignment, looked up by fingerprint without checking in.
    let out = Command::new(BIN)
        .args(["assignment", "--config"])
        .arg(&config)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let assignment: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(assignment["minion_id"], "m1.example.com");
    assert_eq!(assignment["pending_move"], serde_json::Value::Null);

    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("clientd stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn identity_prints_id_fingerprint_and_machine_id() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "http://127.0.0.1:1");
    let out = Command::new(BIN)
        .args(["identity", "--config"])
        .arg(&config)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "minion_id: m1.example.com\nfingerprint: {}\nmachine_id: 0123456789abcdef0123456789abcdef\n",
            FINGER.trim()
        )
    );
}

#[tokio::test]
async fn a_bad_config_fails_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clientd.toml");
    std::fs::write(&path, "[director]\nurl = \"ftp://x\"\ntoken_file = \"t\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["run", "--config"])
        .arg(&path)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("director.url"), "{err}");
}
