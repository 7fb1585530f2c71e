//! `gateway seed-node` ([`crate::seed`]): what one node was given before
//! another joined is copied onto the new one, over both nodes' own APIs.

use super::*;
use crate::seed::{self, Outcome, Report};
use xmlrpc::Struct;

mod content;

const POOL: &str = "sle-product-sles15-sp6-pool-x86_64";
const UPDATES: &str = "sle-product-sles15-sp6-updates-x86_64";

/// The paths of configuration channel `web` and what they hold.
const WEB_PATHS: [&str; 4] = [
    "/etc/apache",
    "/etc/httpd",
    "/etc/httpd.conf",
    "/usr/share/logo.png",
];

fn text(s: &str) -> Value {
    Value::string(s)
}

fn info(members: &[(&str, Value)]) -> Value {
    let mut s = Struct::with_capacity(members.len());
    for (name, value) in members {
        s.push(*name, value.clone());
    }
    Value::Struct(s)
}

/// The latest revisions of `paths` of channel `label`, without what
/// differs between two nodes by nature (dates, revision numbers).
async fn files_of(gw: &Gateway, session: &Value, label: &str, paths: &[&str]) -> Vec<Value> {
    let listed = call(
        gw,
        "configchannel.lookupFileInfo",
        vec![
            session.clone(),
            label.into(),
            Value::Array(paths.iter().map(|p| text(p)).collect()),
        ],
    )
    .await
    .unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut kept = Struct::with_capacity(16);
            for (name, value) in f.as_struct().unwrap().iter() {
                if !matches!(name, "creation" | "modified" | "revision") {
                    kept.push(name, value.clone());
                }
            }
            Value::Struct(kept)
        })
        .collect()
}

/// What key `key` holds besides its settings: child channels, packages,
/// configuration channels (in rank), disabled, contact method.
async fn key_parts(gw: &Gateway, session: &Value, key: &str) -> Vec<Value> {
    let details = call(
        gw,
        "activationkey.getDetails",
        vec![session.clone(), key.into()],
    )
    .await
    .unwrap();
    let channels = call(
        gw,
        "activationkey.listConfigChannels",
        vec![session.clone(), key.into()],
    )
    .await
    .unwrap();
    let labels = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| member(c, "label").clone())
        .collect();
    let mut parts: Vec<Value> = [
        "child_channel_labels",
        "package_names",
        "packages",
        "disabled",
        "contact_method",
    ]
    .iter()
    .map(|name| member(&details, name).clone())
    .collect();
    parts.push(Value::Array(labels));
    parts
}

fn outcome<'r>(report: &'r Report, kind: &str, name: &str) -> &'r Outcome {
    &report
        .lines
        .iter()
        .find(|l| l.kind == kind && l.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in\n{report}"))
        .outcome
}

/// The names of the groups of activation key `key`, as `gw` shows them.
async fn key_groups(gw: &Gateway, session: &Value, key: &str) -> Vec<String> {
    let details = call(
        gw,
        "activationkey.getDetails",
        vec![session.clone(), key.into()],
    )
    .await
    .unwrap();
    let mut names = Vec::new();
    for id in member(&details, "server_group_ids").as_array().unwrap() {
        let group = call(
            gw,
            "systemgroup.getDetails",
            vec![session.clone(), id.clone()],
        )
        .await
        .unwrap();
        names.push(member(&group, "name").as_str().unwrap().to_owned());
    }
    names.sort();
    names
}

/// What a user is on `gw`: first and last name, e-mail, PAM, enabled,
/// roles, assigned and default system groups (by name).
async fn user_facts(gw: &Gateway, session: &Value, login: &str) -> Vec<Value> {
    let details = call(gw, "user.getDetails", vec![session.clone(), login.into()])
        .await
        .unwrap();
    let mut facts: Vec<Value> = ["first_name", "last_name", "email", "use_pam", "enabled"]
        .iter()
        .map(|m| member(&details, m).clone())
        .collect();
    facts.push(
        call(gw, "user.listRoles", vec![session.clone(), login.into()])
            .await
            .unwrap(),
    );
    for list in [
        "user.listAssignedSystemGroups",
        "user.listDefaultSystemGroups",
    ] {
        let groups = call(gw, list, vec![session.clone(), login.into()])
            .await
            .unwrap();
        facts.push(Value::Array(
            groups
                .as_array()
                .unwrap()
                .iter()
                .map(|g| member(g, "name").clone())
                .collect(),
        ));
    }
    facts
}

/// Makes each call of `calls` (method, parameters after the session)
/// through `gw` in `session`; every one must succeed.
async fn apply<const N: usize>(gw: &Gateway, session: &Value, calls: [(&str, Vec<Value>); N]) {
    for (method, params) in calls {
        call(gw, method, [vec![session.clone()], params].concat())
            .await
            .unwrap();
    }
}

/// A gateway whose node list is `old` as n1 and `new` as n2.
pub(super) fn seeding_gateway(old: &Sim, new: &Sim) -> Gateway {
    let mut cfg = GatewayConfig::default();
    for (id, sim) in [("n1", old), ("n2", new)] {
        cfg.nodes.push(StaticNode {
            id: id.into(),
            zone: "default".into(),
            api_url: sim.url.clone(),
        });
    }
    Gateway::new(cfg.clone(), directory(&cfg))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_node_gets_the_groups_channels_and_keys_it_missed() {
    let old = Sim::start("node1", 10, 2).await;
    let new = Sim::start("node2", 11, 0).await;

    // Before the new node joins, the cluster (old alone) gets a group, a
    // configuration channel, a key in both groups and a user.
    let (before, key) = alone(&old).await;
    let edge = call(
        &before,
        "systemgroup.create",
        vec![key.clone(), "edge-servers".into(), "At the edge".into()],
    )
    .await
    .unwrap();
    let web = call(
        &before,
        "systemgroup.getDetails",
        vec![key.clone(), "web-servers".into()],
    )
    .await
    .unwrap();
    call(
        &before,
        "configchannel.create",
        vec![
            key.clone(),
            "motd".into(),
            "Message of the day".into(),
            "The login banner".into(),
            "state".into(),
        ],
    )
    .await
    .unwrap();
    call(
        &before,
        "configchannel.updateInitSls",
        vec![
            key.clone(),
            "motd".into(),
            info(&[("contents", text("motd:\n  file.managed: []\n"))]),
        ],
    )
    .await
    .unwrap();
    // A channel of a file (carriage returns and delimiters of its own), a
    // directory, a link and a binary file.
    call(
        &before,
        "configchannel.create",
        vec![
            key.clone(),
            "web".into(),
            "Web servers".into(),
            "httpd".into(),
        ],
    )
    .await
    .unwrap();
    let owned = |mode: &str| {
        vec![
            ("owner", text("wwwrun")),
            ("group", text("www")),
            ("permissions", text(mode)),
        ]
    };
    let mut conf = owned("640");
    conf.extend([
        (
            "contents",
            text("TGlzdGVuIDgwDQpTZXJ2ZXJOYW1lIHtAIHJobi5zeXN0ZW0uaG9zdG5hbWUgQH0NCg=="),
        ),
        ("contents_enc64", Value::Bool(true)),
        ("macro-start-delimiter", text("{@")),
        ("macro-end-delimiter", text("@}")),
    ]);
    let mut logo = owned("644");
    logo.extend([
        ("contents", text("iVBORw0KGgoA/w==")),
        ("binary", Value::Bool(true)),
    ]);
    for (path, is_dir, members) in [
        ("/etc/httpd.conf", false, conf),
        ("/etc/httpd", true, owned("755")),
        ("/usr/share/logo.png", false, logo),
    ] {
        call(
            &before,
            "configchannel.createOrUpdatePath",
            vec![
                key.clone(),
                "web".into(),
                path.into(),
                Value::Bool(is_dir),
                info(&members),
            ],
        )
        .await
        .unwrap();
    }
    call(
        &before,
        "configchannel.createOrUpdateSymlink",
        vec![
            key.clone(),
            "web".into(),
            "/etc/apache".into(),
            info(&[("target_path", text("/etc/httpd"))]),
        ],
    )
    .await
    .unwrap();
    let made = call(
        &before,
        "activationkey.create",
        vec![
            key.clone(),
            "edge".into(),
            "Edge systems".into(),
            POOL.into(),
            Value::Int(25),
            Value::Array(vec!["monitoring_entitled".into()]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    assert_eq!(made.as_str(), Some("1-edge"));
    let groups = vec![member(&edge, "id").clone(), member(&web, "id").clone()];
    call(
        &before,
        "activationkey.addServerGroups",
        vec![key.clone(), "1-edge".into(), Value::Array(groups)],
    )
    .await
    .unwrap();
    // The key's parts: a child channel, packages, configuration channels,
    // disabled, pushed over SSH.
    for (method, arg) in [
        (
            "activationkey.addChildChannels",
            Value::Array(vec![UPDATES.into()]),
        ),
        (
            "activationkey.addPackages",
            Value::Array(vec![
                info(&[("name", text("vim"))]),
                info(&[("name", text("salt-minion")), ("arch", text("x86_64"))]),
            ]),
        ),
        (
            "activationkey.setDetails",
            info(&[
                ("disabled", Value::Bool(true)),
                ("contact_method", text("ssh-push")),
            ]),
        ),
    ] {
        call(&before, method, vec![key.clone(), "1-edge".into(), arg])
            .await
            .unwrap();
    }
    call(
        &before,
        "activationkey.addConfigChannels",
        vec![
            key.clone(),
            Value::Array(vec!["1-edge".into()]),
            Value::Array(vec!["web".into(), "motd".into()]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    call(
        &before,
        "user.create",
        vec![
            key.clone(),
            "carol".into(),
            "secret-for-carol".into(),
            "Carol".into(),
            "Admin".into(),
            "carol@example.com".into(),
        ],
    )
    .await
    .unwrap();
    // A user who logs in through PAM: a configuration administrator of
    // the edge group, whose systems join the web group, disabled.
    call(
        &before,
        "user.create",
        vec![
            key.clone(),
            "dave-pam".into(),
            "".into(),
            "Dave".into(),
            "Ops".into(),
            "dave@example.com".into(),
            Value::Int(1),
        ],
    )
    .await
    .unwrap();
    for (method, arg) in [
        ("user.addRole", text("config_admin")),
        (
            "user.addDefaultSystemGroups",
            Value::Array(vec![text("web-servers")]),
        ),
        ("user.disable", Value::Nil),
    ] {
        let mut params = vec![key.clone(), "dave-pam".into()];
        if arg != Value::Nil {
            params.push(arg);
        }
        call(&before, method, params).await.unwrap();
    }
    call(
        &before,
        "user.addAssignedSystemGroups",
        vec![
            key.clone(),
            "dave-pam".into(),
            Value::Array(vec![text("edge-servers")]),
            Value::Bool(false),
        ],
    )
    .await
    .unwrap();
    // The new node numbers its groups apart: one group of its own first.
    let (after, new_key) = alone(&new).await;
    call(
        &after,
        "systemgroup.create",
        vec![new_key.clone(), "lab".into(), "Only here".into()],
    )
    .await
    .unwrap();

    let gw = seeding_gateway(&old, &new);

    // A dry run changes nothing.
    let planned = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::DRY_RUN)
        .await
        .unwrap();
    assert_eq!(
        outcome(&planned, "system group", "edge-servers"),
        &Outcome::WouldCreate
    );
    assert_eq!(
        outcome(&planned, "system group", "web-servers"),
        &Outcome::Present
    );
    assert_eq!(
        outcome(&planned, "activation key", "1-edge"),
        &Outcome::WouldCreate
    );
    assert_eq!(outcome(&planned, "user", "dave-pam"), &Outcome::WouldCreate);
    let keys = call(
        &after,
        "activationkey.listActivationKeys",
        vec![new_key.clone()],
    )
    .await
    .unwrap();
    assert!(!format!("{keys:?}").contains("1-edge"));

    let report = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert_eq!(
        outcome(&report, "system group", "edge-servers"),
        &Outcome::Created
    );
    assert_eq!(
        outcome(&report, "configuration channel", "motd"),
        &Outcome::Created
    );
    assert_eq!(
        outcome(&report, "activation key", "1-edge"),
        &Outcome::Created
    );
    assert!(matches!(
        outcome(&report, "user", "carol"),
        Outcome::NotCopied(_)
    ));
    assert_eq!(outcome(&report, "user", "dave-pam"), &Outcome::Created);
    let copied = user_facts(&after, &new_key, "dave-pam").await;
    assert_eq!(copied, user_facts(&before, &key, "dave-pam").await);
    assert_eq!(
        copied[3..],
        [
            Value::Bool(true),
            Value::Bool(false),
            Value::Array(vec![text("config_admin")]),
            Value::Array(vec![text("edge-servers")]),
            Value::Array(vec![text("web-servers")]),
        ]
    );
    assert!(!report.to_string().contains("secret-for-carol"), "{report}");

    // The new node holds them as the old one does, the key's groups found
    // there by name.
    let details = call(
        &after,
        "activationkey.getDetails",
        vec![new_key.clone(), "1-edge".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&details, "description").as_str(),
        Some("Edge systems")
    );
    assert_eq!(member(&details, "base_channel_label").as_str(), Some(POOL));
    assert_eq!(member(&details, "usage_limit").as_i64(), Some(25));
    assert_eq!(
        member(&details, "entitlements"),
        &Value::Array(vec!["monitoring_entitled".into()])
    );
    assert_eq!(
        key_groups(&after, &new_key, "1-edge").await,
        ["edge-servers", "web-servers"]
    );
    let channel = call(
        &after,
        "configchannel.getDetails",
        vec![new_key.clone(), "motd".into()],
    )
    .await
    .unwrap();
    assert_eq!(
        member(&channel, "name").as_str(),
        Some("Message of the day")
    );
    assert_eq!(
        member(member(&channel, "configChannelType"), "label").as_str(),
        Some("state")
    );

    // The channels' files, the state file and the key's parts are the
    // source's, byte for byte.
    assert_eq!(
        files_of(&after, &new_key, "web", &WEB_PATHS).await,
        files_of(&before, &key, "web", &WEB_PATHS).await
    );
    let conf = &files_of(&after, &new_key, "web", &["/etc/httpd.conf"]).await[0];
    assert_eq!(
        member(conf, "contents").as_str(),
        Some("Listen 80\r\nServerName {@ rhn.system.hostname @}\r\n")
    );
    assert_eq!(
        files_of(&after, &new_key, "motd", &["/init.sls"]).await,
        files_of(&before, &key, "motd", &["/init.sls"]).await
    );
    assert_eq!(
        key_parts(&after, &new_key, "1-edge").await,
        key_parts(&before, &key, "1-edge").await
    );
    assert_eq!(
        key_parts(&after, &new_key, "1-edge").await[5],
        Value::Array(vec!["web".into(), "motd".into()])
    );

    assert!(!report.has_failures(), "{report}");

    // A second run finds everything there: nothing created, nothing failed.
    let again = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert!(!again.has_failures(), "{again}");
    assert!(
        again
            .lines
            .iter()
            .all(|l| matches!(l.outcome, Outcome::Present | Outcome::NotCopied(_))),
        "{again}"
    );

    // What the source gains later, a re-run adds: a file of a channel, a
    // package of a key. A dry run only says so.
    call(
        &before,
        "configchannel.createOrUpdatePath",
        vec![
            key.clone(),
            "web".into(),
            "/etc/httpd/ssl.conf".into(),
            Value::Bool(false),
            info(&[
                ("contents", text("SSLEngine on")),
                ("owner", text("root")),
                ("group", text("root")),
                ("permissions", text("600")),
            ]),
        ],
    )
    .await
    .unwrap();
    call(
        &before,
        "activationkey.addPackages",
        vec![
            key.clone(),
            "1-edge".into(),
            Value::Array(vec![info(&[("name", text("htop"))])]),
        ],
    )
    .await
    .unwrap();
    // The target's key enabled behind the cluster's back, the source's
    // user given another role: a re-run disables the key and adds the
    // role.
    call(
        &after,
        "activationkey.setDetails",
        vec![
            new_key.clone(),
            "1-edge".into(),
            info(&[("disabled", Value::Bool(false))]),
        ],
    )
    .await
    .unwrap();
    call(
        &before,
        "user.addRole",
        vec![key.clone(), "dave-pam".into(), "system_group_admin".into()],
    )
    .await
    .unwrap();
    let planned = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::DRY_RUN)
        .await
        .unwrap();
    assert_eq!(
        outcome(&planned, "configuration channel", "web"),
        &Outcome::WouldComplete("would copy 1 file".into())
    );
    assert_eq!(
        outcome(&planned, "user", "dave-pam"),
        &Outcome::WouldComplete("would add role system_group_admin".into())
    );
    assert_eq!(
        outcome(&planned, "activation key", "1-edge"),
        &Outcome::WouldComplete("would disable, add 1 package".into())
    );
    let completed = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert_eq!(
        outcome(&completed, "configuration channel", "web"),
        &Outcome::Completed("copied 1 file".into())
    );
    assert_eq!(
        outcome(&completed, "activation key", "1-edge"),
        &Outcome::Completed("disabled, added 1 package".into())
    );
    assert_eq!(
        outcome(&completed, "user", "dave-pam"),
        &Outcome::Completed("added role system_group_admin".into())
    );
    assert_eq!(
        user_facts(&after, &new_key, "dave-pam").await,
        user_facts(&before, &key, "dave-pam").await
    );
    assert_eq!(
        outcome(&completed, "configuration channel", "motd"),
        &Outcome::Present
    );
    assert!(!completed.has_failures(), "{completed}");
    assert_eq!(
        files_of(&after, &new_key, "web", &["/etc/httpd/ssl.conf"]).await,
        files_of(&before, &key, "web", &["/etc/httpd/ssl.conf"]).await
    );
    assert_eq!(
        key_parts(&after, &new_key, "1-edge").await,
        key_parts(&before, &key, "1-edge").await
    );

    // Unknown nodes and a wrong password are said so.
    let err = seed::between(&gw, "n1", "n9", "admin", "admin", seed::Mode::DRY_RUN)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(err, "no node n9 in the node list (n1, n2)");
    let err = seed::between(&gw, "n1", "n2", "admin", "wrong", seed::Mode::DRY_RUN)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("node n1: auth.login: fault 2950"), "{err}");
    assert!(!err.contains("wrong"), "{err}");
}

/// A text file the source server cannot show (control characters XML
/// cannot carry) fails alone: the channel's other files are copied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_the_source_cannot_show_does_not_stop_the_others() {
    let old = Sim::start("node1", 10, 0).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    call(
        &before,
        "configchannel.create",
        vec![key.clone(), "banner".into(), "Banner".into(), "motd".into()],
    )
    .await
    .unwrap();
    for (path, contents) in [
        ("/etc/issue", "\u{1b}[1mWelcome\u{1b}[0m\n"),
        ("/etc/motd", "Hello\n"),
    ] {
        call(
            &before,
            "configchannel.createOrUpdatePath",
            vec![
                key.clone(),
                "banner".into(),
                path.into(),
                Value::Bool(false),
                info(&[
                    ("contents", text(&base64_of(contents))),
                    ("contents_enc64", Value::Bool(true)),
                    ("owner", text("root")),
                    ("group", text("root")),
                    ("permissions", text("644")),
                ]),
            ],
        )
        .await
        .unwrap();
    }
    let gw = seeding_gateway(&old, &new);
    let report = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert_eq!(
        outcome(&report, "configuration channel", "banner"),
        &Outcome::Partly(
            "created; not copied: /etc/issue: fault 1023: redstone.xmlrpc.XmlRpcFault: The binary file was marked as text."
                .into()
        )
    );
    let (after, new_key) = alone(&new).await;
    assert_eq!(
        files_of(&after, &new_key, "banner", &["/etc/motd"]).await,
        files_of(&before, &key, "banner", &["/etc/motd"]).await
    );
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// With `update`, what a node holds but differently (a node back from
/// offline: its copies are stale) is brought in line with the source; a
/// dry run says what would be, and without `update` it stays as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_brings_stale_copies_in_line() {
    let old = Sim::start("node1", 10, 0).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    let (after, new_key) = alone(&new).await;
    let motd = |contents: &str, mode: &str| {
        info(&[
            ("contents", text(&base64_of(contents))),
            ("contents_enc64", Value::Bool(true)),
            ("owner", text("root")),
            ("group", text("root")),
            ("permissions", text(mode)),
        ])
    };
    apply(
        &before,
        &key,
        [
            (
                "systemgroup.create",
                vec!["edge".into(), "At the edge".into()],
            ),
            (
                "configchannel.create",
                vec!["web".into(), "Web".into(), "httpd".into(), "normal".into()],
            ),
            (
                "configchannel.createOrUpdatePath",
                vec![
                    "web".into(),
                    "/etc/motd".into(),
                    Value::Bool(false),
                    motd("Hello\r\n", "644"),
                ],
            ),
            (
                "configchannel.createOrUpdateSymlink",
                vec![
                    "web".into(),
                    "/etc/link".into(),
                    info(&[("target_path", text("/etc/motd"))]),
                ],
            ),
            (
                "configchannel.create",
                vec![
                    "salt".into(),
                    "Salt".into(),
                    "States".into(),
                    "state".into(),
                ],
            ),
            (
                "activationkey.create",
                vec![
                    "edge".into(),
                    "Edge".into(),
                    "".into(),
                    Value::Array(Vec::new()),
                    Value::Bool(false),
                ],
            ),
            (
                "user.create",
                vec![
                    "erin-pam".into(),
                    "".into(),
                    "Erin".into(),
                    "Ops".into(),
                    "erin@example.com".into(),
                    Value::Int(1),
                ],
            ),
        ],
    )
    .await;
    let gw = seeding_gateway(&old, &new);
    let report = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert!(!report.has_failures(), "{report}");
    // Both hold a text file neither server can show over XML-RPC.
    for (gw, session) in [(&before, &key), (&after, &new_key)] {
        call(
            gw,
            "configchannel.createOrUpdatePath",
            vec![
                session.clone(),
                "web".into(),
                "/etc/issue".into(),
                Value::Bool(false),
                motd("\u{1b}[1mWelcome\u{1b}[0m\n", "644"),
            ],
        )
        .await
        .unwrap();
    }

    // While the new node was away, the cluster changed them; one was
    // changed on the new node alone.
    apply(
        &before,
        &key,
        [
            (
                "systemgroup.update",
                vec!["edge".into(), "Edge servers".into()],
            ),
            (
                "configchannel.update",
                vec!["web".into(), "Web".into(), "Apache".into()],
            ),
            (
                "configchannel.createOrUpdatePath",
                vec![
                    "web".into(),
                    "/etc/motd".into(),
                    Value::Bool(false),
                    motd("Hello\n", "600"),
                ],
            ),
            (
                "configchannel.createOrUpdateSymlink",
                vec![
                    "web".into(),
                    "/etc/link".into(),
                    info(&[("target_path", text("/etc/hosts"))]),
                ],
            ),
            (
                "configchannel.updateInitSls",
                vec![
                    "salt".into(),
                    info(&[("contents", text("include: [web]\n"))]),
                ],
            ),
            (
                "activationkey.setDetails",
                vec![
                    "1-edge".into(),
                    info(&[
                        ("description", text("Edge keys")),
                        ("usage_limit", Value::Int(10)),
                        ("universal_default", Value::Bool(true)),
                    ]),
                ],
            ),
            (
                "user.setDetails",
                vec![
                    "erin-pam".into(),
                    info(&[
                        ("last_name", text("Edge-Ops")),
                        ("email", text("erin@edge.example.com")),
                    ]),
                ],
            ),
            // Each node's administrator account is its own.
            (
                "user.setDetails",
                vec![
                    "admin".into(),
                    info(&[("email", text("admin@node1.example.com"))]),
                ],
            ),
        ],
    )
    .await;
    call(
        &after,
        "activationkey.setDetails",
        vec![
            new_key.clone(),
            "1-edge".into(),
            info(&[("disabled", Value::Bool(true))]),
        ],
    )
    .await
    .unwrap();
    let same = async || {
        let motd = files_of(&before, &key, "web", &["/etc/link", "/etc/motd"]).await
            == files_of(&after, &new_key, "web", &["/etc/link", "/etc/motd"]).await;
        let init = files_of(&before, &key, "salt", &["/init.sls"]).await
            == files_of(&after, &new_key, "salt", &["/init.sls"]).await;
        let details = async |gw: &Gateway, session: &Value, method: &str, name: &str| {
            call(gw, method, vec![session.clone(), name.into()])
                .await
                .unwrap()
        };
        let group = details(&before, &key, "systemgroup.getDetails", "edge").await
            == details(&after, &new_key, "systemgroup.getDetails", "edge").await;
        let edge_key = details(&before, &key, "activationkey.getDetails", "1-edge").await
            == details(&after, &new_key, "activationkey.getDetails", "1-edge").await;
        let user = user_facts(&before, &key, "erin-pam").await
            == user_facts(&after, &new_key, "erin-pam").await;
        [motd, init, group, edge_key, user]
    };
    assert_eq!(same().await, [false; 5]);

    let plain = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    for (kind, name) in [
        ("system group", "edge"),
        ("configuration channel", "web"),
        ("configuration channel", "salt"),
        ("activation key", "1-edge"),
        ("user", "erin-pam"),
    ] {
        assert_eq!(outcome(&plain, kind, name), &Outcome::Present, "{plain}");
    }
    let planned = seed::between(
        &gw,
        "n1",
        "n2",
        "admin",
        "admin",
        seed::Mode {
            dry_run: true,
            update: true,
            prune: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        outcome(&planned, "configuration channel", "web"),
        &Outcome::WouldUpdate(
            "would update description, update 2 files (/etc/link, /etc/motd)".into()
        )
    );
    assert_eq!(
        outcome(&planned, "user", "erin-pam"),
        &Outcome::WouldUpdate("would set last name, e-mail".into())
    );
    assert_eq!(same().await, [false; 5], "a dry run changes nothing");

    let update = seed::Mode {
        dry_run: false,
        update: true,
        prune: false,
    };
    let updated = seed::between(&gw, "n1", "n2", "admin", "admin", update)
        .await
        .unwrap();
    assert!(!updated.has_failures(), "{updated}");
    // The file neither can show is said to be not compared, once.
    match outcome(&updated, "configuration file", "web:/etc/issue") {
        Outcome::NotCopied(why) => assert!(why.starts_with("not compared: fault 1023"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        updated
            .lines
            .iter()
            .filter(|l| l.name == "web:/etc/issue")
            .count(),
        1
    );
    for (kind, name, what) in [
        ("system group", "edge", "description"),
        (
            "configuration channel",
            "web",
            "updated description, updated 2 files (/etc/link, /etc/motd)",
        ),
        (
            "configuration channel",
            "salt",
            "updated 1 file (/init.sls)",
        ),
        (
            "activation key",
            "1-edge",
            "enabled, description set, usage limit 10 set, made the universal default",
        ),
        ("user", "erin-pam", "set last name, e-mail"),
    ] {
        assert_eq!(
            outcome(&updated, kind, name),
            &Outcome::Updated(what.into()),
            "{updated}"
        );
    }
    assert_eq!(same().await, [true; 5]);
    assert_eq!(outcome(&updated, "user", "admin"), &Outcome::Present);
    let admin = user_facts(&after, &new_key, "admin").await;
    assert_ne!(admin, user_facts(&before, &key, "admin").await);
    let again = seed::between(&gw, "n1", "n2", "admin", "admin", update)
        .await
        .unwrap();
    assert!(
        again
            .lines
            .iter()
            .all(|l| matches!(l.outcome, Outcome::Present | Outcome::NotCopied(_))),
        "{again}"
    );
}

/// With `prune`, what only the target holds (deleted while it was away)
/// is removed: groups, configuration channels and their files, keys; a
/// dry run only says so, and without `prune` it stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_removes_what_the_source_lacks() {
    let old = Sim::start("node1", 10, 0).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    let (after, new_key) = alone(&new).await;
    let file = || {
        info(&[
            ("contents", text("x\n")),
            ("owner", text("root")),
            ("group", text("root")),
            ("permissions", text("644")),
        ])
    };
    let make = async |gw: &Gateway, session: &Value, suffix: &str| {
        apply(
            gw,
            session,
            [
                (
                    "systemgroup.create",
                    vec![format!("{suffix}-group").into(), "".into()],
                ),
                (
                    "configchannel.create",
                    vec![
                        format!("{suffix}-channel").into(),
                        "Channel".into(),
                        "Files".into(),
                        "normal".into(),
                    ],
                ),
                (
                    "configchannel.create",
                    vec![
                        format!("{suffix}-states").into(),
                        "States".into(),
                        "Salt states".into(),
                        "state".into(),
                    ],
                ),
                (
                    "activationkey.create",
                    vec![
                        format!("{suffix}-key").into(),
                        "Key".into(),
                        "".into(),
                        Value::Array(Vec::new()),
                        Value::Bool(false),
                    ],
                ),
            ],
        )
        .await;
    };
    make(&before, &key, "kept").await;
    for path in ["/etc/a", "/etc/b"] {
        call(
            &before,
            "configchannel.createOrUpdatePath",
            vec![
                key.clone(),
                "kept-channel".into(),
                path.into(),
                Value::Bool(false),
                file(),
            ],
        )
        .await
        .unwrap();
    }
    let gw = seeding_gateway(&old, &new);
    let report = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert!(!report.has_failures(), "{report}");
    // Deleted while the new node was away; it still holds them.
    make(&after, &new_key, "gone").await;
    call(
        &before,
        "configchannel.deleteFiles",
        vec![
            key.clone(),
            "kept-channel".into(),
            Value::Array(vec!["/etc/b".into()]),
        ],
    )
    .await
    .unwrap();
    let held = async || {
        let mut held = Vec::new();
        for (method, name) in [
            ("systemgroup.getDetails", "gone-group"),
            ("configchannel.getDetails", "gone-channel"),
            ("activationkey.getDetails", "1-gone-key"),
            ("systemgroup.getDetails", "kept-group"),
            ("configchannel.getDetails", "kept-channel"),
            ("activationkey.getDetails", "1-kept-key"),
        ] {
            held.push(
                call(&after, method, vec![new_key.clone(), name.into()])
                    .await
                    .is_ok(),
            );
        }
        for (label, path) in [
            ("kept-channel", "/etc/b"),
            ("kept-channel", "/etc/a"),
            ("kept-states", "/init.sls"),
        ] {
            let paths = call(
                &after,
                "configchannel.listFiles",
                vec![new_key.clone(), label.into()],
            )
            .await
            .unwrap();
            held.push(
                paths
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| member(f, "path").as_str() == Some(path)),
            );
        }
        held
    };
    assert_eq!(held().await, [true; 9]);

    let plain = seed::between(&gw, "n1", "n2", "admin", "admin", seed::Mode::default())
        .await
        .unwrap();
    assert!(
        !plain.lines.iter().any(|l| l.name.starts_with("gone")),
        "{plain}"
    );
    let prune = |dry_run| seed::Mode {
        dry_run,
        update: false,
        prune: true,
    };
    let planned = seed::between(&gw, "n1", "n2", "admin", "admin", prune(true))
        .await
        .unwrap();
    for (kind, name) in [
        ("system group", "gone-group"),
        ("configuration channel", "gone-channel"),
        ("activation key", "1-gone-key"),
    ] {
        assert_eq!(
            outcome(&planned, kind, name),
            &Outcome::WouldRemove,
            "{planned}"
        );
    }
    assert_eq!(
        outcome(&planned, "configuration channel", "kept-channel"),
        &Outcome::Present
    );
    assert_eq!(
        outcome(&planned, "configuration file", "kept-channel:/etc/b"),
        &Outcome::WouldRemove
    );
    assert_eq!(held().await, [true; 9], "a dry run removes nothing");

    let pruned = seed::between(&gw, "n1", "n2", "admin", "admin", prune(false))
        .await
        .unwrap();
    assert!(!pruned.has_failures(), "{pruned}");
    assert_eq!(
        outcome(&pruned, "activation key", "1-gone-key"),
        &Outcome::Removed
    );
    assert_eq!(
        outcome(&pruned, "configuration file", "kept-channel:/etc/b"),
        &Outcome::Removed
    );
    assert!(
        pruned.to_string().ends_with(
            "0 created, 0 completed, 0 updated, 5 removed, 16 present, 0 failed or partly copied, 0 not copied"
        ),
        "{pruned}"
    );
    assert_eq!(
        held().await,
        [false, false, false, true, true, true, false, true, true]
    );
    let again = seed::between(&gw, "n1", "n2", "admin", "admin", prune(false))
        .await
        .unwrap();
    assert!(
        again
            .lines
            .iter()
            .all(|l| matches!(l.outcome, Outcome::Present | Outcome::NotCopied(_))),
        "{again}"
    );
}
