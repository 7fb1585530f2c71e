//! The redb store engine: the shared store suite on a temporary file, and
//! durability when the writing process is killed.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use director::store::{Store, suite};

/// Set (to a database path) in the child process of the crash test.
const CRASH_CHILD: &str = "DIRECTOR_REDB_CRASH_CHILD";
/// Acknowledged writes the crash test waits for before killing the child.
const WRITES_BEFORE_KILL: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redb_engine_passes_the_store_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_redb(dir.path().join("suite.redb")).expect("open redb");
    suite::run(store).await;
}

#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reopen.redb");
    let store = Store::open_redb(&path).expect("open redb");
    store.put_json("node/1", &"n1").await.expect("put");
    assert_eq!(
        store
            .allocate_counter("counter/node")
            .await
            .expect("allocate"),
        1
    );
    drop(store);

    let store = Store::open_redb(&path).expect("reopen redb");
    assert_eq!(
        store
            .get_json::<String>("node/1")
            .await
            .expect("get")
            .as_deref(),
        Some("n1")
    );
    assert_eq!(
        store
            .allocate_counter("counter/node")
            .await
            .expect("allocate"),
        2
    );
}

#[test]
fn opening_a_file_in_a_missing_directory_fails_with_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing/state.redb");
    let err = Store::open_redb(&path).expect_err("no such directory");
    assert!(
        err.to_string()
            .starts_with(&format!("redb {}: ", path.display())),
        "{err}"
    );
}

/// Runs this test binary again as a writer that acknowledges each committed
/// write on stdout, kills it with SIGKILL in the middle of its writes, then
/// reopens the file: every acknowledged write must be there.
#[test]
fn a_killed_writer_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crash.redb");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "crash_child_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_CHILD, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the writer");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));

    let mut last_acked = None;
    let mut killed = false;
    for line in stdout.lines() {
        let line = line.expect("read the writer's stdout");
        let Some(n) = line.strip_prefix("acked ") else {
            continue;
        };
        let n: u64 = n.parse().expect("ack number");
        last_acked = Some(n);
        if n >= WRITES_BEFORE_KILL && !killed {
            child.kill().expect("SIGKILL the writer");
            killed = true;
        }
    }
    let status = child.wait().expect("reap the writer");
    assert_eq!(
        status.signal(),
        Some(9),
        "the writer died of SIGKILL: {status}"
    );
    let last_acked = last_acked.expect("the writer acknowledged writes");
    assert!(last_acked >= WRITES_BEFORE_KILL);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = Store::open_redb(&path).expect("reopen after the kill");
        let found = store.scan_prefix("crash/", usize::MAX).await.expect("scan");
        assert!(
            found.len() as u64 > last_acked,
            "{} of {} writes",
            found.len(),
            last_acked + 1
        );
        for (i, (key, value)) in found.iter().enumerate().take(last_acked as usize + 1) {
            assert_eq!(key, format!("crash/{i:08}").as_bytes());
            assert_eq!(value, format!("value-{i}").as_bytes());
        }
    });
}

/// The writer half of the crash test; does nothing in a normal test run.
#[test]
fn crash_child_writer() {
    let Some(path) = std::env::var_os(CRASH_CHILD) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = Store::open_redb(&path).expect("open redb");
        // Bounded, in case nobody kills us: the parent kills at 200.
        for i in 0..100_000u64 {
            let value = format!("value-{i}");
            store
                .put(format!("crash/{i:08}"), value)
                .await
                .expect("put");
            println!("acked {i}");
        }
    });
}
