//! `seed-node` copies crypto keys, repositories, content lifecycle
//! filters and custom information keys ([`crate::seed`]'s `content`).

use super::*;

/// A private key's text: the report must never show it.
const PRIVATE_KEY: &str =
    "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";

fn criteria(matcher: &str, field: &str, value: &str) -> Value {
    info(&[
        ("matcher", text(matcher)),
        ("field", text(field)),
        ("value", text(value)),
    ])
}

/// What `gw` holds of the items this test makes: each crypto key's type
/// and contents, each repository's details, each filter's rule, entity
/// type and criteria, each custom information key's description; by kind
/// and name.
async fn content_of(gw: &Gateway, session: &Value) -> BTreeMap<String, Vec<Value>> {
    let mut held = BTreeMap::new();
    let listed = |method: &'static str| async move {
        call(gw, method, vec![session.clone()])
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .to_vec()
    };
    for key in listed("kickstart.keys.listAllKeys").await {
        let name = member(&key, "description").as_str().unwrap().to_owned();
        let details = call(
            gw,
            "kickstart.keys.getDetails",
            vec![session.clone(), name.as_str().into()],
        )
        .await
        .unwrap();
        let facts = vec![
            member(&details, "type").clone(),
            member(&details, "content").clone(),
        ];
        held.insert(format!("crypto key {name}"), facts);
    }
    for repo in listed("channel.software.listUserRepos").await {
        let label = member(&repo, "label").as_str().unwrap().to_owned();
        let details = call(
            gw,
            "channel.software.getRepoDetails",
            vec![session.clone(), label.as_str().into()],
        )
        .await
        .unwrap();
        let facts = [
            "type",
            "sourceUrl",
            "hasSignedMetadata",
            "sslContentSources",
        ]
        .iter()
        .map(|m| member(&details, m).clone())
        .collect();
        held.insert(format!("repository {label}"), facts);
    }
    for filter in listed("contentmanagement.listFilters").await {
        let name = member(&filter, "name").as_str().unwrap().to_owned();
        let facts = ["rule", "entityType", "criteria"]
            .iter()
            .map(|m| member(&filter, m).clone())
            .collect();
        held.insert(format!("content filter {name}"), facts);
    }
    for key in listed("system.custominfo.listAllKeys").await {
        let label = member(&key, "label").as_str().unwrap().to_owned();
        held.insert(
            format!("custom info key {label}"),
            vec![member(&key, "description").clone()],
        );
    }
    held
}

/// The report's lines of this module's kinds, as `kind name: outcome`.
fn content_lines(report: &Report) -> Vec<String> {
    report
        .lines
        .iter()
        .filter(|l| {
            matches!(
                l.kind,
                "crypto key" | "repository" | "content filter" | "custom info key"
            )
        })
        .map(|l| format!("{} {}: {:?}", l.kind, l.name, l.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_node_gets_the_repositories_filters_and_keys_it_missed() {
    let old = Sim::start("node1", 10, 0).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    let (after, new_key) = alone(&new).await;
    let repo = |label: &str, kind: &str, url: &str| {
        (
            "channel.software.createRepo",
            vec![label.into(), kind.into(), url.into()],
        )
    };
    // The cluster (the old node alone) gets SSL and GPG keys, a
    // repository using the SSL keys and three others, a filter and a
    // custom information key.
    apply(
        &before,
        &key,
        [
            (
                "kickstart.keys.create",
                vec!["repo-ca".into(), "SSL".into(), "CA certificate\n".into()],
            ),
            (
                "kickstart.keys.create",
                vec![
                    "repo-cert".into(),
                    "SSL".into(),
                    "Client certificate\n".into(),
                ],
            ),
            (
                "kickstart.keys.create",
                vec!["repo-key".into(), "SSL".into(), PRIVATE_KEY.into()],
            ),
            (
                "kickstart.keys.create",
                vec!["signing".into(), "GPG".into(), "GPG key, first\n".into()],
            ),
            (
                "channel.software.createRepo",
                vec![
                    "internal".into(),
                    "yum".into(),
                    "https://repo.example.test/internal".into(),
                    "repo-ca".into(),
                    "repo-cert".into(),
                    "repo-key".into(),
                    Value::Bool(false),
                ],
            ),
            repo("plain", "yum", "https://repo.example.test/plain"),
            repo("mixed", "yum", "https://repo.example.test/mixed"),
            (
                "contentmanagement.createFilter",
                vec![
                    "no-rt".into(),
                    "deny".into(),
                    "package".into(),
                    criteria("contains", "name", "kernel-rt"),
                ],
            ),
            (
                "system.custominfo.createKey",
                vec!["rack".into(), "Rack position".into()],
            ),
        ],
    )
    .await;
    // The new node holds some of them otherwise (a repository of another
    // type under one label, one with an SSL certificate the cluster's
    // lacks), and what the cluster deleted meanwhile: an SSL key and a
    // repository using it, a filter, a custom key.
    apply(
        &after,
        &new_key,
        [
            (
                "kickstart.keys.create",
                vec!["stale-ca".into(), "SSL".into(), "Old CA\n".into()],
            ),
            (
                "channel.software.createRepo",
                vec![
                    "plain".into(),
                    "yum".into(),
                    "https://old.example.test/plain".into(),
                    "stale-ca".into(),
                    "".into(),
                    "".into(),
                ],
            ),
            repo("mixed", "deb", "https://repo.example.test/mixed"),
            (
                "contentmanagement.createFilter",
                vec![
                    "no-rt".into(),
                    "allow".into(),
                    "package".into(),
                    criteria("contains", "name", "kernel-rt"),
                ],
            ),
            (
                "system.custominfo.createKey",
                vec!["rack".into(), "Old description".into()],
            ),
            (
                "channel.software.createRepo",
                vec![
                    "stale".into(),
                    "yum".into(),
                    "https://repo.example.test/stale".into(),
                    "stale-ca".into(),
                    "stale-ca".into(),
                    "stale-ca".into(),
                ],
            ),
            (
                "contentmanagement.createFilter",
                vec![
                    "stale-filter".into(),
                    "deny".into(),
                    "erratum".into(),
                    criteria("equals", "advisory_name", "SUSE-2020-1"),
                ],
            ),
            (
                "system.custominfo.createKey",
                vec!["stale-key".into(), "Gone".into()],
            ),
        ],
    )
    .await;
    let gw = seeding_gateway(&old, &new);
    let run = async |mode: seed::Mode| {
        seed::between(&gw, "n1", "n2", "admin", "admin", mode)
            .await
            .unwrap()
    };

    // A plain run creates what the new node lacks and leaves the rest.
    let plain = run(seed::Mode::default()).await;
    assert!(!plain.has_failures(), "{plain}");
    assert!(!plain.to_string().contains("PRIVATE"), "{plain}");
    assert_eq!(
        content_lines(&plain),
        [
            "crypto key repo-ca: Created",
            "crypto key repo-cert: Created",
            "crypto key repo-key: Created",
            "crypto key signing: Created",
            "repository internal: Created",
            "repository mixed: Present",
            "repository plain: Present",
            "content filter no-rt: Present",
            "custom info key rack: Present",
        ]
    );
    let source = content_of(&before, &key).await;
    let target = content_of(&after, &new_key).await;
    for name in [
        "crypto key repo-ca",
        "crypto key repo-key",
        "crypto key signing",
        "repository internal",
    ] {
        assert_eq!(source[name], target[name], "{name}");
    }
    assert_ne!(source["repository plain"], target["repository plain"]);

    // A dry run of --update says what it would do and does nothing; a
    // repository's type no call changes.
    let update = |dry_run| seed::Mode {
        dry_run,
        update: true,
        prune: false,
    };
    let planned = run(update(true)).await;
    assert_eq!(
        content_lines(&planned)[4..],
        [
            "repository internal: Present",
            "repository mixed: Failed(\"type deb here, yum on the source: no call changes \
             that; remove it on the target and run seed-node again to make it anew\")",
            "repository plain: Partly(\"would update URL; SSL certificates stale-ca here, none \
             on the source: no call changes that; remove it on the target and run seed-node \
             again to make it anew\")",
            "content filter no-rt: WouldUpdate(\"rule\")",
            "custom info key rack: WouldUpdate(\"description\")",
        ]
    );
    assert_eq!(
        content_of(&after, &new_key).await,
        target,
        "a dry run changes nothing"
    );

    // --update brings the copies in line, a crypto key's new contents too.
    apply(
        &before,
        &key,
        [(
            "kickstart.keys.update",
            vec!["signing".into(), "GPG".into(), "GPG key, second\n".into()],
        )],
    )
    .await;
    let updated = run(update(false)).await;
    assert!(updated.has_failures(), "the repository of another type");
    let lines = content_lines(&updated);
    for line in [
        "crypto key signing: Updated(\"content\")",
        "content filter no-rt: Updated(\"rule\")",
        "custom info key rack: Updated(\"description\")",
    ] {
        assert!(lines.contains(&line.to_owned()), "{updated}");
    }
    let source = content_of(&before, &key).await;
    let target = content_of(&after, &new_key).await;
    for name in [
        "crypto key signing",
        "content filter no-rt",
        "custom info key rack",
    ] {
        assert_eq!(source[name], target[name], "{name}");
    }
    assert_eq!(
        source["repository plain"][..3],
        target["repository plain"][..3],
        "its URL"
    );
    for name in ["repository plain", "repository mixed"] {
        assert_ne!(source[name], target[name], "{name} stays apart");
    }

    // --prune removes what only the new node holds, the repository before
    // the key it uses (which takes the key off the other repository too);
    // once the other type's repository is gone on the new node, a run
    // makes it anew and the next finds everything alike.
    apply(
        &after,
        &new_key,
        [("channel.software.removeRepo", vec!["mixed".into()])],
    )
    .await;
    let prune = |dry_run| seed::Mode {
        dry_run,
        update: true,
        prune: true,
    };
    let planned = run(prune(true)).await;
    assert!(
        content_lines(&planned).ends_with(&[
            "custom info key stale-key: WouldRemove".to_owned(),
            "content filter stale-filter: WouldRemove".to_owned(),
            "repository stale: WouldRemove".to_owned(),
            "crypto key stale-ca: WouldRemove".to_owned(),
        ]),
        "{planned}"
    );
    assert!(
        content_of(&after, &new_key)
            .await
            .contains_key("repository stale")
    );
    let pruned = run(prune(false)).await;
    let lines = content_lines(&pruned);
    assert!(
        lines.contains(&"repository mixed: Created".to_owned()),
        "{pruned}"
    );
    // The other repository was compared before the key went.
    let failed: Vec<&str> = pruned
        .lines
        .iter()
        .filter(|l| matches!(l.outcome, Outcome::Failed(_) | Outcome::Partly(_)))
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(failed, ["plain"], "{pruned}");
    assert_eq!(
        content_of(&before, &key).await,
        content_of(&after, &new_key).await
    );
    let again = run(prune(false)).await;
    assert!(
        content_lines(&again)
            .iter()
            .all(|l| l.ends_with(": Present")),
        "{again}"
    );
}
