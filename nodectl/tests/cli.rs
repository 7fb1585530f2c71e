//! The `nodectl state` subcommands as a person runs them.

use std::process::{Command, Output};

fn nodectl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nodectl"))
        .args(args)
        .env_remove("NODECTL_CONFIG")
        .output()
        .expect("run nodectl")
}

#[test]
fn state_commands_list_check_and_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("states");
    std::fs::create_dir_all(&root).expect("root");
    std::fs::write(
        root.join("hello.yaml"),
        "id: hello\ndescription: says hello\nstate:\n  greet:\n    - shell:\n        \
         - hello: echo \"hello $WHO\"\n        - bye: echo bye\n",
    )
    .expect("state");
    std::fs::write(
        root.join("broken.yaml"),
        "id: broken\ndescription: x\nstate:\n  g:\n    - service: {name: sshd, action: reload}\n",
    )
    .expect("broken state");
    let root = root.to_str().expect("utf-8 path");

    let list = nodectl(&["state", "list", "--root", root]);
    let stdout = String::from_utf8_lossy(&list.stdout);
    let stderr = String::from_utf8_lossy(&list.stderr);
    assert!(stdout.starts_with("hello\t"), "{stdout}");
    assert!(stderr.contains("broken.yaml:5:"), "{stderr}");
    assert!(stderr.contains("state.g[0].service.action"), "{stderr}");
    assert_eq!(list.status.code(), Some(1), "a broken file is a failure");

    let check = nodectl(&["state", "check", &format!("{root}/broken.yaml")]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.starts_with(&format!("{root}/broken.yaml:5:")) && stderr.contains("reload"),
        "{stderr}"
    );

    let run = nodectl(&[
        "state",
        "run",
        "hello",
        "--root",
        root,
        "--host",
        "local",
        "--env",
        "WHO=world",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json report");
    assert_eq!(report["state"], "hello");
    let commands = &report["hosts"][0]["groups"][0]["modules"][0]["commands"];
    assert_eq!(commands[0]["name"], "hello");
    assert_eq!(commands[0]["stdout"], "hello world\n");
    assert_eq!(commands[1]["exit_code"], 0);

    let missing = nodectl(&["state", "run", "nope", "--root", root]);
    assert_ne!(missing.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no state nope"));
}
