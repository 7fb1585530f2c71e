//! Tests of the configuration file: defaults, the documented sample,
//! every field, and errors that name the field.

use super::*;

const MINIMAL: &str = r#"
    [director]
    url = "https://director.example.com:8443"
    token_file = "/etc/clientd/token"
"#;

#[test]
fn a_minimal_file_gets_the_stock_defaults() {
    let c = Config::parse(MINIMAL).unwrap();
    assert_eq!(c.minion_id, None);
    assert_eq!(c.machine_id_file, Path::new("/etc/machine-id"));
    assert_eq!(c.bus, None);
    assert_eq!(c.director.checkin_interval_secs, 300.0);
    assert_eq!(c.salt, SaltConfig::default());
    assert_eq!(c.salt.pki_dir(), Path::new("/etc/salt/pki/minion"));
    assert_eq!(c.salt.minion_d(), Path::new("/etc/salt/minion.d"));
    assert_eq!(
        c.salt.restart_command,
        ["systemctl", "restart", "salt-minion"]
    );
}

#[test]
fn the_documented_sample_parses() {
    let doc = include_str!("mod.rs");
    let sample: String = doc
        .lines()
        .skip_while(|l| !l.starts_with("//! ```toml"))
        .skip(1)
        .take_while(|l| !l.starts_with("//! ```"))
        .map(|l| l.trim_start_matches("//!").trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    let c = Config::parse(&sample).unwrap();
    assert_eq!(c.director.zone.as_deref(), Some("eu"));
    assert_eq!(c.bus.unwrap().url, "nats://director.example.com:4222");
    assert_eq!(c.salt.dropin_name, "cluster-master.conf");
}

#[test]
fn every_field_can_be_set() {
    let c = Config::parse(
        r#"
        minion_id = "web1.example.com"
        machine_id_file = "/run/machine-id"
        [director]
        url = "http://127.0.0.1:1"
        token_file = "t"
        checkin_interval_secs = 0.5
        checkin_jitter = 0
        request_timeout_secs = 2
        [bus]
        url = "nats://127.0.0.1:4222"
        retry_secs = 0.2
        [salt]
        config_dir = "/tmp/salt"
        pki_dir = "/tmp/pki"
        dropin_name = "x.conf"
        forget_master_key = false
        restart_command = ["sh", "restart.sh"]
        restart_timeout_secs = 5
        check_command = ["true"]
        check_attempt_timeout_secs = 1
        check_retry_secs = 0.1
        confirm_timeout_secs = 3
        "#,
    )
    .unwrap();
    assert_eq!(c.minion_id.as_deref(), Some("web1.example.com"));
    assert_eq!(c.salt.pki_dir(), Path::new("/tmp/pki"));
    assert!(!c.salt.forget_master_key);
    assert_eq!(secs(c.director.checkin_interval_secs).as_millis(), 500);
}

#[test]
fn unknown_fields_and_bad_values_are_named() {
    let err = Config::parse(&format!("{MINIMAL}\nchekin = 1\n")).unwrap_err();
    assert!(err.to_string().contains("chekin"), "{err}");

    let bad = |extra: &str, field: &str| {
        let text = MINIMAL.replace("[director]", &format!("[director]\n{extra}"));
        let err = Config::parse(&text).unwrap_err().to_string();
        assert!(err.contains(field), "{extra}: {err}");
    };
    bad("checkin_jitter = 2.0", "director.checkin_jitter");
    bad(
        "checkin_interval_secs = 0",
        "director.checkin_interval_secs",
    );
    bad("request_timeout_secs = -1", "director.request_timeout_secs");

    let err = Config::parse(&MINIMAL.replace("https://", "ftp://"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("director.url"), "{err}");
    let err = Config::parse(&format!("{MINIMAL}\n[salt]\ndropin_name = \"../x.conf\"\n"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("salt.dropin_name"), "{err}");
    let err = Config::parse(&format!("{MINIMAL}\n[salt]\nrestart_command = []\n"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("salt.restart_command"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let err = Config::load(Path::new("/nonexistent/clientd.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("config /nonexistent/clientd.toml"),
        "{err}"
    );
}
