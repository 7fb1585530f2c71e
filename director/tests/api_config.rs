//! The director's configuration: TOML parsing and defaults, errors that
//! name the field, token sources, and flags over the file.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Parser;

use director::cluster::ClusterConfig;
use director::config::{
    AuthConfig, BusConfig, ConfigError, DirectorConfig, ServeArgs, StoreConfig,
};

const SAMPLE: &str = r#"
listen = "0.0.0.0:9000"
body_limit_bytes = 4096
shutdown_grace_secs = 3

[tls]
cert = "/etc/director/cert.pem"
key = "/etc/director/key.pem"

[store]
engine = "tikv"
pd_endpoints = ["pd1:2379", "pd2:2379"]

[bus]
engine = "nats"
url = "nats://user:hunter2@nats.example:4222"

[cluster]
epsilon = 0.2
heartbeat_timeout = 10
default_zone = "eu"

[auth]
admin_token_file = "/etc/director/admin.token"
client_token_env = "MY_CLIENT_TOKEN"
"#;

#[test]
fn a_full_file_parses() {
    let c = DirectorConfig::from_toml_str(SAMPLE).unwrap();
    assert_eq!(c.listen, "0.0.0.0:9000".parse().unwrap());
    assert_eq!(c.body_limit_bytes, 4096);
    assert_eq!(c.tls.unwrap().key, PathBuf::from("/etc/director/key.pem"));
    assert_eq!(
        c.store,
        StoreConfig::Tikv {
            pd_endpoints: vec!["pd1:2379".into(), "pd2:2379".into()]
        }
    );
    assert_eq!(c.cluster.epsilon, 0.2);
    assert_eq!(c.cluster.default_zone, "eu");
    assert_eq!(c.cluster.tick, ClusterConfig::default().tick);
    assert_eq!(c.auth.client_token_env, "MY_CLIENT_TOKEN");
    assert_eq!(c.auth.admin_token_env, "DIRECTOR_ADMIN_TOKEN");
    let shown = format!("{:?}", c.bus);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("nats.example:4222"), "{shown}");
}

#[test]
fn an_empty_file_is_the_defaults() {
    let c = DirectorConfig::from_toml_str("").unwrap();
    assert_eq!(c, DirectorConfig::default());
    assert_eq!(
        c.store,
        StoreConfig::Redb {
            path: "./director.redb".into()
        }
    );
    assert_eq!(c.bus, BusConfig::Local);
    let c = DirectorConfig::from_toml_str("[store]\nengine = \"redb\"\n").unwrap();
    assert_eq!(c.store, StoreConfig::default());
}

#[test]
fn errors_name_the_field_and_line() {
    let e = DirectorConfig::from_toml_str("listen = \"127.0.0.1:1\"\nadmin_token = \"s3cret\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("admin_token") && e.contains("line 2"), "{e}");
    assert!(!e.contains("s3cret"), "{e}");
    let e = DirectorConfig::from_toml_str("[store]\nengine = \"redb\"\npd_endpoints = []\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("pd_endpoints"), "{e}");
    let e = DirectorConfig::from_toml_str("[store]\nengine = \"tikv\"\npd_endpoints = []\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("store.pd_endpoints"), "{e}");
    let e = DirectorConfig::from_toml_str("[cluster]\nepsilon = 0\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("cluster.epsilon"), "{e}");
}

#[test]
fn tokens_come_from_env_then_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin.token");
    std::fs::write(&file, "from-file\n").unwrap();
    let auth = AuthConfig {
        admin_token_file: Some(file.clone()),
        ..AuthConfig::default()
    };
    let none = |_: &str| None;
    let tokens = auth.tokens(none).unwrap();
    assert!(tokens.admin.as_ref().unwrap().matches("from-file"));
    assert!(tokens.client.is_none());

    let env: HashMap<&str, &str> = [
        ("DIRECTOR_ADMIN_TOKEN", "from-env"),
        ("DIRECTOR_NODE_TOKEN", "node"),
        ("DIRECTOR_GATEWAY_TOKEN", "gateway"),
    ]
    .into();
    let tokens = auth.tokens(|k| env.get(k).map(|v| v.to_string())).unwrap();
    assert!(tokens.admin.as_ref().unwrap().matches("from-env"));
    assert!(tokens.node.as_ref().unwrap().matches("node"));
    assert!(tokens.gateway.as_ref().unwrap().matches("gateway"));

    let missing = AuthConfig::default().tokens(none).unwrap_err().to_string();
    assert!(missing.contains("DIRECTOR_ADMIN_TOKEN"), "{missing}");

    std::fs::write(&file, " \n").unwrap();
    let empty = auth.tokens(none).unwrap_err().to_string();
    assert!(empty.contains("auth.admin_token_file"), "{empty}");

    let same: HashMap<&str, &str> = [
        ("DIRECTOR_ADMIN_TOKEN", "same"),
        ("DIRECTOR_CLIENT_TOKEN", "same"),
    ]
    .into();
    let shared = auth.tokens(|k| same.get(k).map(|v| v.to_string()));
    assert!(matches!(
        shared,
        Err(ConfigError::SharedToken("admin", "client"))
    ));
}

#[derive(Debug, clap::Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[test]
fn flags_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("director.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:1\"\n[bus]\nengine = \"local\"\n",
    )
    .unwrap();
    let cli = Cli::try_parse_from([
        "director",
        "--config",
        file.to_str().unwrap(),
        "--listen",
        "127.0.0.1:2",
        "--redb-path",
        "/tmp/x.redb",
        "--nats-url",
        "nats://127.0.0.1:4222",
        "--admin-token-file",
        "/run/secrets/admin",
    ])
    .unwrap();
    let c = cli.serve.load().unwrap();
    assert_eq!(c.listen, "127.0.0.1:2".parse().unwrap());
    assert_eq!(
        c.store,
        StoreConfig::Redb {
            path: "/tmp/x.redb".into()
        }
    );
    assert_eq!(
        c.bus,
        BusConfig::Nats {
            url: "nats://127.0.0.1:4222".into()
        }
    );
    assert_eq!(c.auth.admin_token_file, Some("/run/secrets/admin".into()));

    let e = Cli::try_parse_from(["director", "--tls-cert", "c.pem"]).unwrap_err();
    assert!(e.to_string().contains("--tls-key"), "{e}");
    let missing = ServeArgs {
        config: Some(dir.path().join("nope.toml")),
        ..ServeArgs::default()
    };
    let e = missing.load().unwrap_err().to_string();
    assert!(e.contains("nope.toml"), "{e}");
}

/// The sample of the module documentation, with every section.
#[test]
fn the_documented_sample_parses() {
    let sample = r#"
listen = "0.0.0.0:8180"
body_limit_bytes = 1048576
shutdown_grace_secs = 10

[tls]
cert = "/etc/director/tls/cert.pem"
key = "/etc/director/tls/key.pem"

[store]
engine = "redb"
path = "/var/lib/director/director.redb"

[bus]
engine = "local"

[cluster]
epsilon = 0.1
heartbeat_timeout = 30
tick = 1
max_moves_in_flight = 200
move_timeout = 120
move_attempts = 3
default_zone = "default"

[auth]
admin_token_file = "/etc/director/admin.token"
admin_token_env = "DIRECTOR_ADMIN_TOKEN"
client_token_file = "/etc/director/client.token"
client_token_env = "DIRECTOR_CLIENT_TOKEN"
node_token_file = "/etc/director/node.token"
node_token_env = "DIRECTOR_NODE_TOKEN"
gateway_token_file = "/etc/director/gateway.token"
gateway_token_env = "DIRECTOR_GATEWAY_TOKEN"
"#;
    let c = DirectorConfig::from_toml_str(sample).unwrap();
    assert_eq!(c.cluster, ClusterConfig::default());
    assert_eq!(
        c.store,
        StoreConfig::Redb {
            path: "/var/lib/director/director.redb".into()
        }
    );
    assert_eq!(c.body_limit_bytes, 1 << 20);
}
