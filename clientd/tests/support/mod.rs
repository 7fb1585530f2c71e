//! What the integration tests share: a fake director, real Salt daemons,
//! and a clientd configuration for them.
#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod director;
pub mod salt;

use std::path::Path;

use clientd::config::{Config, DirectorConfig, SaltConfig};

/// A clientd configuration for a test under `dir`: the director at `url`
/// (its token written to `dir/token`), check-ins every half second, the
/// minion's config in `salt_dir` and the given restart and check commands.
pub fn config(
    dir: &Path,
    url: &str,
    salt_dir: &Path,
    restart: Vec<String>,
    check: Vec<String>,
) -> Config {
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{}\n", director::TOKEN)).unwrap();
    std::fs::write(dir.join("machine-id"), "0123456789abcdef0123456789abcdef\n").unwrap();
    Config {
        minion_id: None,
        machine_id_file: dir.join("machine-id"),
        director: DirectorConfig {
            url: url.to_owned(),
            token_file,
            ca_file: None,
            zone: Some("test".into()),
            checkin_interval_secs: 0.5,
            checkin_jitter: 0.2,
            request_timeout_secs: 10.0,
        },
        bus: None,
        salt: SaltConfig {
            config_dir: salt_dir.to_owned(),
            restart_command: restart,
            restart_timeout_secs: 30.0,
            check_command: check,
            check_attempt_timeout_secs: 15.0,
            check_retry_secs: 1.0,
            confirm_timeout_secs: 20.0,
            ..SaltConfig::default()
        },
    }
}

/// A Salt config dir with a minion key (the fixture) and `id: <id>`.
pub fn fake_minion(dir: &Path, id: &str) -> std::path::PathBuf {
    let salt = dir.join("salt");
    std::fs::create_dir_all(salt.join("pki/minion")).unwrap();
    std::fs::create_dir_all(salt.join("minion.d")).unwrap();
    std::fs::write(
        salt.join("pki/minion/minion.pub"),
        include_str!("../fixtures/minion.pub"),
    )
    .unwrap();
    std::fs::write(salt.join("minion"), format!("id: {id}\n")).unwrap();
    salt
}
