//! `seed-node` copies crypto keys, repositories, content lifecycle
//! filters and custom information keys ([`crate::seed`]'s `content`).

use super::*;

/// The organization's CA certificate, each node's own.
const CA: &str = "RHN-ORG-TRUSTED-SSL-CERT";

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
    // custom information key. Each node holds its own CA certificate.
    apply(
        &before,
        &key,
        [
            (
                "kickstart.keys.create",
                vec![CA.into(), "SSL".into(), "CA of node1\n".into()],
            ),
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
                vec![CA.into(), "SSL".into(), "CA of node2\n".into()],
            ),
            repo("old-label", "yum", "https://repo.example.test/renamed"),
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
    assert!(!plain.to_string().contains("c2VjcmV0"), "{plain}");
    assert_eq!(
        content_lines(&plain),
        [
            "crypto key RHN-ORG-TRUSTED-SSL-CERT: NotCopied(\"each node's own (its CA \
             certificate): left as each node has it\")",
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
        content_lines(&planned)[5..],
        [
            "repository internal: Present",
            "repository mixed: Failed(\"type deb here, yum on the source: no call changes \
             that; remove it on the target, run seed-node again to make it anew, then \
             associate its channels and set its filters there again\")",
            "repository plain: Partly(\"would update URL; SSL certificates stale-ca here, none \
             on the source: no call changes that; remove it on the target, run seed-node again \
             to make it anew, then associate its channels and set its filters there again\")",
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
    assert!(!updated.to_string().contains("c2VjcmV0"), "{updated}");
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

    // --prune removes what only the new node holds (the key goes first
    // and takes itself off the other repository too), and renames the
    // repository the cluster renamed meanwhile (found by its URL); once
    // the other type's repository is gone on the new node, a run makes it
    // anew and the next finds everything alike.
    apply(
        &after,
        &new_key,
        [("channel.software.removeRepo", vec!["mixed".into()])],
    )
    .await;
    apply(
        &before,
        &key,
        [repo("renamed", "yum", "https://repo.example.test/renamed")],
    )
    .await;
    let prune = |dry_run| seed::Mode {
        dry_run,
        update: true,
        prune: true,
    };
    let planned = run(prune(true)).await;
    let lines = content_lines(&planned);
    for line in [
        "crypto key stale-ca: WouldRemove",
        "repository stale: WouldRemove",
        "repository renamed: WouldUpdate(\"label (was old-label)\")",
        "content filter stale-filter: WouldRemove",
        "custom info key stale-key: WouldRemove",
    ] {
        assert!(lines.contains(&line.to_owned()), "{line}: {planned}");
    }
    assert!(
        content_of(&after, &new_key)
            .await
            .contains_key("repository stale")
    );
    let pruned = run(prune(false)).await;
    assert!(!pruned.has_failures(), "{pruned}");
    let lines = content_lines(&pruned);
    for line in [
        "repository mixed: Created",
        "repository renamed: Updated(\"label (was old-label)\")",
        "repository plain: Present",
    ] {
        assert!(lines.contains(&line.to_owned()), "{line}: {pruned}");
    }
    let (source, target) = (
        content_of(&before, &key).await,
        content_of(&after, &new_key).await,
    );
    let ca = format!("crypto key {CA}");
    let others = |all: &BTreeMap<String, Vec<Value>>| {
        let mut all = all.clone();
        all.remove(&ca);
        all
    };
    assert_eq!(others(&source), others(&target));
    assert_eq!(target[&ca][1], text("CA of node2"), "each node's own");
    let again = run(prune(false)).await;
    assert!(
        content_lines(&again)
            .iter()
            .all(|l| l.ends_with(": Present") || l.contains(CA)),
        "{again}"
    );
}

/// What `gw` holds of snippets, external group maps and settings and
/// maintenance calendars and schedules, by kind and name.
async fn auth_and_maintenance_of(gw: &Gateway, session: &Value) -> BTreeMap<String, Value> {
    let mut held = BTreeMap::new();
    let get = async |method: &str, params: Vec<Value>| {
        call(gw, method, [vec![session.clone()], params].concat())
            .await
            .unwrap()
    };
    for snippet in get("kickstart.snippet.listCustom", Vec::new())
        .await
        .as_array()
        .unwrap()
    {
        let name = member(snippet, "name").as_str().unwrap();
        held.insert(
            format!("snippet {name}"),
            member(snippet, "contents").clone(),
        );
    }
    for (method, list) in [
        ("user.external.listExternalGroupToRoleMaps", "roles"),
        ("user.external.listExternalGroupToSystemGroupMaps", "groups"),
    ] {
        for map in get(method, Vec::new()).await.as_array().unwrap() {
            let name = member(map, "name").as_str().unwrap();
            let mut names: Vec<String> = member(map, list)
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect();
            names.sort();
            held.insert(
                format!("{list} of {name}"),
                Value::Array(names.into_iter().map(Value::string).collect()),
            );
        }
    }
    for setting in ["getKeepTemporaryRoles", "getUseOrgUnit"] {
        let value = get(&format!("user.external.{setting}"), Vec::new()).await;
        held.insert(setting.to_owned(), value);
    }
    // The default organization by name: the nodes number them apart.
    let default = get("user.external.getDefaultOrg", Vec::new()).await;
    let default = match default.as_i64() {
        Some(0) => Value::Nil,
        _ => member(&get("org.getDetails", vec![default]).await, "name").clone(),
    };
    held.insert("default organization".to_owned(), default);
    for label in get("maintenance.listCalendarLabels", Vec::new())
        .await
        .as_array()
        .unwrap()
    {
        let details = get("maintenance.getCalendarDetails", vec![label.clone()]).await;
        let label = label.as_str().unwrap();
        held.insert(
            format!("calendar {label}"),
            member(&details, "ical").clone(),
        );
    }
    for name in get("maintenance.listScheduleNames", Vec::new())
        .await
        .as_array()
        .unwrap()
    {
        let details = get("maintenance.getScheduleDetails", vec![name.clone()]).await;
        let calendar = details
            .as_struct()
            .unwrap()
            .get("calendar")
            .map_or(Value::Nil, |c| member(c, "label").clone());
        let name = name.as_str().unwrap();
        held.insert(
            format!("schedule {name}"),
            Value::Array(vec![member(&details, "type").clone(), calendar]),
        );
    }
    held
}

/// An iCalendar with one weekly window named `summary`.
fn ical(summary: &str) -> Value {
    text(&format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:{summary}\n\
         DTSTART:20260105T020000Z\nDTEND:20260105T040000Z\nRRULE:FREQ=WEEKLY\n\
         END:VEVENT\nEND:VCALENDAR\n"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_node_gets_the_snippets_auth_maps_and_maintenance_windows_it_missed() {
    let old = Sim::start("node1", 10, 0).await;
    let new = Sim::start("node2", 11, 0).await;
    let (before, key) = alone(&old).await;
    let (after, new_key) = alone(&new).await;
    // Organizations numbered apart: Engineering is 2 on the old node, 3
    // on the new one.
    let org = |name: &str, admin: &str| {
        (
            "org.create",
            vec![
                name.into(),
                admin.into(),
                "admin-password".into(),
                "Mr.".into(),
                "Org".into(),
                "Admin".into(),
                format!("{admin}@example.com").into(),
                Value::Bool(false),
            ],
        )
    };
    apply(&after, &new_key, [org("Other", "other-admin")]).await;
    // An organization administrator who is no SUSE Manager administrator.
    for (gw, session) in [(&before, &key), (&after, &new_key)] {
        apply(
            gw,
            session,
            [
                org("Engineering", "eng-admin"),
                (
                    "user.create",
                    vec![
                        "orgadm".into(),
                        "orgadm-password".into(),
                        "Org".into(),
                        "Admin".into(),
                        "orgadm@example.com".into(),
                    ],
                ),
                ("user.addRole", vec!["orgadm".into(), "org_admin".into()]),
            ],
        )
        .await;
    }
    // The cluster (the old node alone) gets a snippet, external group
    // maps, external authentication settings, two calendars and
    // schedules.
    apply(
        &before,
        &key,
        [
            (
                "kickstart.snippet.createOrUpdate",
                vec!["partitions".into(), "part / --size=20000\n".into()],
            ),
            (
                "user.external.createExternalGroupToRoleMap",
                vec![
                    "ops".into(),
                    Value::Array(vec!["system_group_admin".into(), "config_admin".into()]),
                ],
            ),
            (
                "user.external.createExternalGroupToSystemGroupMap",
                vec!["web-team".into(), Value::Array(vec!["web-servers".into()])],
            ),
            (
                "user.external.setKeepTemporaryRoles",
                vec![Value::Bool(true)],
            ),
            ("user.external.setDefaultOrg", vec![Value::Int(2)]),
            (
                "maintenance.createCalendar",
                vec!["weekly".into(), ical("Monday night")],
            ),
            (
                "maintenance.createCalendar",
                vec!["spare".into(), ical("Spare")],
            ),
            (
                "maintenance.createSchedule",
                vec!["web".into(), "single".into(), "weekly".into()],
            ),
            (
                "maintenance.createSchedule",
                vec!["db".into(), "multi".into()],
            ),
        ],
    )
    .await;
    // The new node holds some otherwise, and what was deleted meanwhile.
    apply(
        &after,
        &new_key,
        [
            (
                "kickstart.snippet.createOrUpdate",
                vec!["partitions".into(), "part / --size=10000\n".into()],
            ),
            (
                "kickstart.snippet.createOrUpdate",
                vec!["stale-snippet".into(), "# gone\n".into()],
            ),
            (
                "user.external.createExternalGroupToRoleMap",
                vec!["ops".into(), Value::Array(vec!["config_admin".into()])],
            ),
            (
                "user.external.createExternalGroupToRoleMap",
                vec!["stale-team".into(), Value::Array(Vec::new())],
            ),
            ("user.external.setUseOrgUnit", vec![Value::Bool(true)]),
            (
                "maintenance.createCalendar",
                vec!["weekly".into(), ical("Sunday night")],
            ),
            (
                "maintenance.createCalendar",
                vec!["stale-cal".into(), ical("Old")],
            ),
            (
                "maintenance.createSchedule",
                vec!["web".into(), "multi".into(), "stale-cal".into()],
            ),
            (
                "maintenance.createSchedule",
                vec!["stale-sched".into(), "single".into()],
            ),
        ],
    )
    .await;
    let gw = seeding_gateway(&old, &new);
    let run = async |update: bool, prune: bool| {
        let mode = seed::Mode {
            dry_run: false,
            update,
            prune,
        };
        let report = seed::between(&gw, "n1", "n2", "admin", "admin", mode)
            .await
            .unwrap();
        assert!(!report.has_failures(), "{report}");
        report
    };
    let outcome_of = |report: &Report, kind: &str, name: &str| outcome(report, kind, name).clone();

    // A plain run makes what the new node lacks and sets a setting the
    // new node holds at the server's default; what it holds otherwise
    // stays.
    let plain = run(false, false).await;
    for (kind, name, expected) in [
        ("kickstart snippet", "partitions", Outcome::Present),
        ("external group roles", "ops", Outcome::Present),
        ("external group groups", "web-team", Outcome::Created),
        (
            "external auth setting",
            "keep temporary roles",
            Outcome::Updated("value".into()),
        ),
        (
            "external auth setting",
            "use org unit",
            Outcome::NotCopied(
                "differs from the source's; left as the target has it (--update sets it)".into(),
            ),
        ),
        (
            "external auth setting",
            "default organization",
            Outcome::Updated("value".into()),
        ),
        ("maintenance calendar", "weekly", Outcome::Present),
        ("maintenance calendar", "spare", Outcome::Created),
        ("maintenance schedule", "web", Outcome::Present),
        ("maintenance schedule", "db", Outcome::Created),
    ] {
        assert_eq!(
            outcome_of(&plain, kind, name),
            expected,
            "{kind} {name}: {plain}"
        );
    }
    let target = auth_and_maintenance_of(&after, &new_key).await;
    assert_eq!(target["getKeepTemporaryRoles"], Value::Bool(true));
    assert_eq!(target["getUseOrgUnit"], Value::Bool(true), "left as it was");
    assert_eq!(target["default organization"], text("Engineering"));

    // --prune alone removes what only the new node holds, but not a
    // calendar a schedule kept there still uses.
    let pruned = seed::between(
        &gw,
        "n1",
        "n2",
        "admin",
        "admin",
        seed::Mode {
            dry_run: false,
            update: false,
            prune: true,
        },
    )
    .await
    .unwrap();
    for (kind, name, expected) in [
        ("kickstart snippet", "stale-snippet", Outcome::Removed),
        ("external group roles", "stale-team", Outcome::Removed),
        ("maintenance schedule", "stale-sched", Outcome::Removed),
        (
            "maintenance calendar",
            "stale-cal",
            Outcome::Failed(
                "still the calendar of schedule web on the target (--update moves them to the \
                 source's calendars)"
                    .into(),
            ),
        ),
    ] {
        assert_eq!(
            outcome_of(&pruned, kind, name),
            expected,
            "{kind} {name}: {pruned}"
        );
    }

    // --update brings the rest in line (the schedule onto its calendar),
    // --prune removes what only the new node holds; then both nodes hold
    // the same, and a run finds nothing to do.
    let updated = run(true, true).await;
    for (kind, name, expected) in [
        (
            "kickstart snippet",
            "partitions",
            Outcome::Updated("contents".into()),
        ),
        (
            "external group roles",
            "ops",
            Outcome::Updated("roles".into()),
        ),
        (
            "external auth setting",
            "use org unit",
            Outcome::Updated("value".into()),
        ),
        (
            "maintenance calendar",
            "weekly",
            Outcome::Updated("iCalendar text".into()),
        ),
        ("maintenance calendar", "stale-cal", Outcome::Removed),
        (
            "maintenance schedule",
            "web",
            Outcome::Updated("type and calendar".into()),
        ),
    ] {
        assert_eq!(
            outcome_of(&updated, kind, name),
            expected,
            "{kind} {name}: {updated}"
        );
    }
    assert_eq!(
        auth_and_maintenance_of(&before, &key).await,
        auth_and_maintenance_of(&after, &new_key).await
    );
    let again = run(true, true).await;
    assert_eq!(again.writes(), 0, "{again}");

    // An organization administrator may seed all but what asks for a
    // SUSE Manager administrator, which is left out, not failed.
    let limited = seed::between(
        &gw,
        "n1",
        "n2",
        "orgadm",
        "orgadm-password",
        seed::Mode::default(),
    )
    .await
    .unwrap();
    assert!(!limited.has_failures(), "{limited}");
    for (kind, name) in [
        ("external group roles", "*"),
        ("external auth setting", "keep temporary roles"),
        ("external auth setting", "default organization"),
    ] {
        assert!(
            matches!(outcome_of(&limited, kind, name), Outcome::NotCopied(why) if why.contains("SUSE Manager administrator")),
            "{kind} {name}: {limited}"
        );
    }
    assert_eq!(
        outcome_of(&limited, "external group groups", "web-team"),
        Outcome::Present
    );
}
