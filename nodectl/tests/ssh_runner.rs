//! The SSH runner against a real sshd (Debian's openssh-server) on
//! loopback with its own host key: one connection per host for all its
//! commands, every module, structured results, and host-key checking that
//! refuses a wrong or unknown key before anything runs.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use nodectl::nanostate::ssh::SshOptions;
use nodectl::nanostate::{RunOptions, parse, run_state};
use nodectl::testkit::sshd::Sshd;

fn options(sshd: &Sshd, known_hosts: &Path) -> RunOptions {
    RunOptions {
        env: BTreeMap::from([("SECRET".to_owned(), "s3cr3t value".to_owned())]),
        parallel: 4,
        command_timeout: Duration::from_secs(30),
        init_command: format!(
            "echo {{action}} {{name}} >> {}/services.log",
            sshd.dir().display()
        ),
        ssh: SshOptions {
            user: None,
            key_file: Some(sshd.client_key()),
            known_hosts: Some(known_hosts.to_owned()),
            strict: true,
            connect_timeout: Duration::from_secs(10),
            config_file: Some("/dev/null".into()),
            control_dir: Some(sshd.dir().to_owned()),
        },
    }
}

fn state(dir: &Path) -> nodectl::nanostate::NanoState {
    let text = format!(
        r#"id: remote-test
description: every module over SSH
state:
  first:
    - shell:
        - whoami: id -un
        - secret: printf %s "$SECRET"
        - stderr: echo oops >&2
  files:
    - file:
        path: {dir}/put.conf
        content: "key: value\n"
        mode: "0640"
    - file: {{path: {dir}/old.conf, ensure: absent}}
    - service: {{name: salt-master, action: restart}}
  last:
    - shell:
        - fails: exit 3
        - never: touch {dir}/never
"#,
        dir = dir.display()
    );
    parse(&text, Path::new("remote-test.yaml")).expect("valid state")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_run_over_one_connection_per_host_and_report_everything() {
    let Some(sshd) = Sshd::start_for_test().await else {
        return;
    };
    let dir = sshd.dir().join("work");
    std::fs::create_dir_all(&dir).expect("work dir");
    std::fs::write(dir.join("old.conf"), "old").expect("old file");
    let state = state(&dir);
    let before = sshd.logins();
    let report = run_state(&state, &[sshd.host()], &options(&sshd, &sshd.known_hosts())).await;
    assert_eq!(
        sshd.logins() - before,
        1,
        "one connection for the whole host"
    );

    let json = serde_json::to_value(&report).expect("json");
    let host = &json["hosts"][0];
    assert_eq!(host["host"], sshd.host());
    assert_eq!(host["ok"], false, "the last group fails");
    let first = &host["groups"][0]["modules"][0]["commands"];
    let user = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id")
        .stdout;
    assert_eq!(first[0]["stdout"], String::from_utf8_lossy(&user).as_ref());
    assert_eq!(
        first[1]["stdout"], "s3cr3t value",
        "environment reaches the command"
    );
    assert_eq!(first[2]["stderr"], "oops\n");
    assert_eq!(first[2]["exit_code"], 0);
    assert!(first[2]["duration_ms"].is_u64());

    let put = dir.join("put.conf");
    assert_eq!(std::fs::read_to_string(&put).expect("put"), "key: value\n");
    let mode = std::fs::metadata(&put).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(!dir.join("old.conf").exists(), "removed");
    let services = std::fs::read_to_string(sshd.dir().join("services.log")).expect("init log");
    assert_eq!(services, "restart salt-master\n");

    let last = &host["groups"][2];
    assert_eq!(last["ok"], false);
    let commands = last["modules"][0]["commands"].as_array().expect("commands");
    assert_eq!(commands.len(), 1, "stops at the first failure");
    assert_eq!(commands[0]["exit_code"], 3);
    assert!(!dir.join("never").exists());
    assert_eq!(
        report.failures(),
        [format!("{}/last/shell/fails", sshd.host())]
    );

    // The same sshd under two names: two hosts at once, each its own
    // connection, results in host order.
    let before = sshd.logins();
    let both = vec![sshd.host(), format!("127.0.0.1:{}", sshd.port())];
    let mut opts = options(&sshd, &sshd.known_hosts());
    opts.ssh.user = Some(String::from_utf8_lossy(&user).trim().to_owned());
    let report = run_state(&state, &both, &opts).await;
    assert_eq!(report.hosts.len(), 2);
    assert_eq!(report.hosts[1].host, both[1]);
    assert!(
        report.hosts.iter().all(|h| h.groups.len() == 3),
        "{report:?}"
    );
    assert_eq!(sshd.logins() - before, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_unknown_host_key_is_refused_before_anything_runs() {
    let Some(sshd) = Sshd::start_for_test().await else {
        return;
    };
    let dir = sshd.dir().join("work");
    std::fs::create_dir_all(&dir).expect("work dir");
    let state = state(&dir);
    let empty = sshd.dir().join("empty_known_hosts");
    std::fs::write(&empty, "").expect("empty known_hosts");
    for (known_hosts, why) in [
        (sshd.wrong_known_hosts(), "wrong key"),
        (empty, "unknown host"),
    ] {
        let report = run_state(&state, &[sshd.host()], &options(&sshd, &known_hosts)).await;
        let host = &report.hosts[0];
        assert!(!report.ok && !host.ok, "{why}");
        let error = host.error.as_deref().unwrap_or_default();
        assert!(
            error.contains("Host key verification failed")
                || error.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
            "{why}: {error}"
        );
        assert!(host.groups.is_empty(), "{why}: nothing ran");
    }
    assert!(!dir.join("put.conf").exists(), "no command ran");
    assert_eq!(sshd.logins(), 0, "never authenticated");
}
