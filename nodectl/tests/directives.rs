//! Directives over a real nats-server: the agent heartbeats its public key,
//! follows lifecycle directives on its public subject, opens sealed ones on
//! its private subject (the secret reaches the nanostate, and never appears
//! on the bus in clear), ignores unknown kinds and refuses secrets sent in
//! clear.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use director::bus::nats_server::NatsServer;
use director::bus::{Bus, NatsBus};
use director::cluster::Heartbeat;
use nodectl::config::Config;
use nodectl::directives::seal_directive;
use nodectl::keys::NodeKey;
use nodectl::shutdown;
use serde_json::{Value, json};

const SECRET: &str = "hunter2-staging-password";

fn write_states(root: &Path, out: &Path) {
    std::fs::create_dir_all(root).expect("states dir");
    std::fs::write(
        root.join("stage.yaml"),
        format!(
            "id: stage-node\ndescription: stage\nstate:\n  creds:\n    - shell:\n        \
             - store: printf %s \"$SCC_PASSWORD\" > {out}/secret.txt\n        \
             - state: printf %s \"$NODECTL_STATE\" > {out}/state.txt\n",
            out = out.display()
        ),
    )
    .expect("stage state");
    std::fs::write(
        root.join("activate.yaml"),
        format!(
            "id: activate\ndescription: activate\nstate:\n  mark:\n    - shell:\n        \
             - touch: touch {}/active\n",
            out.display()
        ),
    )
    .expect("activate state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_directives_reach_the_nanostate_and_never_the_bus_in_clear() {
    let Some(nats) = NatsServer::start_for_test().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    write_states(&dir.path().join("states"), &out);
    let config = Config::parse(
        &format!(
            "node_id = \"n1\"\nstate_dir = \"{state}\"\n\
             [director]\nbus_url = \"{url}\"\n\
             [heartbeat]\ninterval_secs = 0.2\nsystems = 7\n\
             [states]\nroots = [\"{roots}\"]\n\
             [lifecycle.staged]\nstate = \"stage-node\"\n\
             [lifecycle.active]\nstate = \"activate\"\n",
            state = dir.path().join("state").display(),
            url = nats.url(),
            roots = dir.path().join("states").display(),
        ),
        Path::new("test.toml"),
    )
    .expect("config");
    let bus: Arc<dyn Bus> = Arc::new(NatsBus::connect(nats.url()).await.expect("bus"));
    let mut beats = bus.subscribe("node.n1.heartbeat").await.expect("subscribe");
    let mut results = bus.subscribe("node.n1.result").await.expect("subscribe");
    let mut everything = bus.subscribe(">").await.expect("subscribe");

    let (trigger, stop) = shutdown::channel();
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let agent = tokio::spawn(nodectl::agent::run(config, stop, ready));
    tokio::time::timeout(Duration::from_secs(30), is_ready)
        .await
        .expect("agent ready in time")
        .expect("agent ready");

    // The director learns the node's public key from a heartbeat.
    let beat = tokio::time::timeout(Duration::from_secs(10), beats.next())
        .await
        .expect("a heartbeat")
        .expect("subscription open");
    let beat: Heartbeat = serde_json::from_slice(&beat.payload).expect("heartbeat json");
    assert_eq!((beat.node.as_str(), beat.load.systems), ("n1", 7));
    let public_key = beat.public_key.expect("public key in the heartbeat");
    let key_file = dir.path().join("state/node.key");
    assert_eq!(
        NodeKey::load_or_create(&key_file)
            .expect("key")
            .public_key_base64(),
        public_key
    );

    let public = "directive.node.n1";
    let private = "directive.node.n1.private";
    let mut expected = BTreeMap::new();
    let mut send = async |subject: &str, payload: bytes::Bytes, outcome: &str| {
        let seq = bus
            .publish_directive(subject, payload)
            .await
            .expect("publish");
        expected.insert(seq, outcome.to_owned());
    };
    send(
        public,
        json_bytes(&json!({"kind": "rebuild-world"})),
        "ignored",
    )
    .await;
    send(
        public,
        json_bytes(&json!({"kind": "lifecycle", "state": "staged", "env": {"SCC_PASSWORD": "sent-in-clear"}})),
        "refused",
    )
    .await;
    let sealed = seal_directive(
        &public_key,
        &json!({"kind": "lifecycle", "state": "staged", "env": {"SCC_PASSWORD": SECRET}}),
    )
    .expect("seal");
    send(private, sealed, "done").await;
    let wrong_key = seal_directive(
        &NodeKey::generate().public_key_base64(),
        &json!({"kind": "lifecycle", "state": "staged"}),
    )
    .expect("seal");
    send(private, wrong_key, "refused").await;
    send(
        public,
        json_bytes(&json!({"kind": "lifecycle", "state": "active"})),
        "done",
    )
    .await;

    let mut got = BTreeMap::new();
    while got.len() < expected.len() {
        let message = tokio::time::timeout(Duration::from_secs(30), results.next())
            .await
            .expect("a result in time")
            .expect("subscription open");
        let result: Value = serde_json::from_slice(&message.payload).expect("result json");
        got.insert(
            result["seq"].as_u64().expect("seq"),
            result["outcome"].as_str().expect("outcome").to_owned(),
        );
    }
    assert_eq!(got, expected);
    assert_eq!(
        std::fs::read_to_string(out.join("secret.txt")).expect("secret"),
        SECRET
    );
    assert_eq!(
        std::fs::read_to_string(out.join("state.txt")).expect("state"),
        "staged"
    );
    assert!(out.join("active").exists());

    trigger.fire();
    agent
        .await
        .expect("agent task")
        .expect("agent stops cleanly");

    // Nothing that crossed the bus carried the secret in clear: not the
    // directives (public or private), results, heartbeats or events.
    let mut seen = 0;
    while let Ok(Some(message)) =
        tokio::time::timeout(Duration::from_millis(300), everything.next()).await
    {
        seen += 1;
        let text = String::from_utf8_lossy(&message.payload);
        assert!(
            !text.contains(SECRET),
            "{} carried the secret",
            message.subject
        );
    }
    assert!(seen >= 10, "the bus was watched ({seen} messages)");
    let mut stored = bus
        .directives("audit", "directive.>")
        .await
        .expect("audit consumer");
    for _ in 0..expected.len() {
        let d = stored.next().await.expect("stored directive");
        assert!(
            !String::from_utf8_lossy(&d.payload).contains(SECRET),
            "{}",
            d.subject
        );
    }
}

fn json_bytes(value: &Value) -> bytes::Bytes {
    serde_json::to_vec(value).expect("json").into()
}
