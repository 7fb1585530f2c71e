//! TLS both ways: a gateway serving HTTPS with a self-signed certificate in
//! front of a simulated node, and a second gateway that reaches the first
//! as its "node" over HTTPS, trusting that certificate through
//! `upstream.ca`. A gateway without that CA cannot reach the first, one
//! told to accept any certificate can, and an untrusting client is
//! refused.

use std::sync::Arc;

use compat_tests::harness::RpcClient;
use compat_tests::sim::{self, SimConfig};
use gateway::config::{GatewayConfig, ListenerTls, StaticNode};
use gateway::{Directory, Gateway};

async fn start(cfg: GatewayConfig) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    let directory = Arc::new(Directory::from_config(&cfg).unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(gateway::serve(
        Arc::new(Gateway::new(cfg, directory)),
        listener,
        async {
            let _ = rx.await;
        },
    ));
    (format!("{scheme}://{addr}/rpc/api"), tx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_on_the_listener_and_towards_the_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();

    let node = Arc::new(sim::Node::new(SimConfig::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let node_url = format!("http://{}/rpc/api", listener.local_addr().unwrap());
    tokio::spawn(sim::run(node, listener, std::future::pending()));

    let front = GatewayConfig {
        tls: Some(ListenerTls {
            cert: cert.clone(),
            key,
        }),
        nodes: vec![StaticNode::parse_flag(&format!("n1={node_url}")).unwrap()],
        ..GatewayConfig::default()
    };
    let (front_url, _stop_front) = start(front).await;
    assert!(front_url.starts_with("https://"));

    let mut back = GatewayConfig::default();
    back.upstream.ca = Some(cert.clone());
    back.nodes
        .push(StaticNode::parse_flag(&format!("g1={front_url}")).unwrap());
    let (back_url, _stop_back) = start(back).await;

    let key = RpcClient::new(&back_url)
        .login("admin", "admin")
        .await
        .unwrap();
    assert!(spec::is_session_key(&key), "{key:?}");

    // A gateway that does not trust the front's certificate cannot reach
    // it: the login is the server's fault naming the node, no session.
    let mut untrusting = GatewayConfig::default();
    untrusting
        .nodes
        .push(StaticNode::parse_flag(&format!("g1={front_url}")).unwrap());
    let (untrusting_url, _stop_untrusting) = start(untrusting).await;
    let fault = RpcClient::new(&untrusting_url)
        .fault("auth.login", vec!["admin".into(), "admin".into()])
        .await;
    assert!(fault.string.contains("g1"), "{fault:?}");
    assert!(fault.string.contains("unreachable"), "{fault:?}");

    // One told to accept any certificate (a lab's) reaches it.
    let mut lab = GatewayConfig::default();
    lab.upstream.accept_invalid_certs = true;
    lab.nodes
        .push(StaticNode::parse_flag(&format!("g1={front_url}")).unwrap());
    let (lab_url, _stop_lab) = start(lab).await;
    let key = RpcClient::new(&lab_url)
        .login("admin", "admin")
        .await
        .unwrap();
    assert!(spec::is_session_key(&key), "{key:?}");

    // A client that does not trust the certificate gets no answer.
    let refused = reqwest::Client::new().get(&front_url).send().await;
    assert!(refused.is_err());
    // One that does gets the server's redirect.
    let pem = std::fs::read(&cert).unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = trusting.get(&front_url).send().await.unwrap();
    assert_eq!(r.status(), 302);
}
