//! Routing classes and id parameters of the committed spec.

use std::collections::BTreeSet;

use spec::generate::id_rules::{NESTED_IDS, RESULT_OVERRIDES};
use spec::generate::routing::OVERRIDES;
use spec::{IdForm, IdKind, RouteClass, spec};

fn class_of(name: &str) -> RouteClass {
    let overloads = spec().overloads(name);
    assert!(!overloads.is_empty(), "{name} missing");
    let classes: BTreeSet<_> = overloads.iter().map(|e| e.route.class).collect();
    assert_eq!(classes.len(), 1, "{name}: overloads differ: {classes:?}");
    overloads[0].route.class
}

#[test]
fn well_known_calls_route_sensibly() {
    use RouteClass::*;
    let expected = [
        ("api.getVersion", Gateway),
        ("auth.login", Gateway),
        ("system.listSystems", Fanout),
        ("system.getDetails", System),
        ("system.deleteSystems", System),
        ("schedule.listAllActions", Fanout),
        ("schedule.cancelActions", Action),
        ("schedule.listFailedSystems", Action),
        ("channel.listSoftwareChannels", SharedRead),
        ("channel.software.listAllPackages", SharedRead),
        ("activationkey.create", Broadcast),
        ("user.listUsers", SharedRead),
        ("user.create", Broadcast),
        ("systemgroup.create", Broadcast),
        ("systemgroup.listSystems", Fanout),
        ("org.listOrgs", Fanout),
        ("user.listAssignableRoles", SharedRead),
        ("system.createSystemProfile", Placement),
        ("virtualhostmanager.create", Placement),
        ("system.search.hostname", Fanout),
        ("packages.search.name", SharedRead),
        ("saltkey.pendingList", Fanout),
        ("saltkey.accept", Broadcast),
        ("proxy.activateProxy", System),
    ];
    for (name, class) in expected {
        assert_eq!(class_of(name), class, "{name}");
    }
}

#[test]
fn bootstrap_through_a_proxy_routes_on_the_proxy() {
    for entry in spec().overloads("system.bootstrap") {
        match entry.params.iter().position(|p| p.name == "proxyId") {
            Some(i) => assert_eq!(
                (entry.route.class, entry.route.param),
                (RouteClass::System, Some(i))
            ),
            None => assert_eq!(entry.route.class, RouteClass::Placement),
        }
    }
}

#[test]
fn system_and_action_routes_name_a_parameter_of_their_kind() {
    for entry in spec().entries() {
        let kind = match entry.route.class {
            RouteClass::System => IdKind::System,
            // A recurring schedule, an image, a snapshot, ... lives on its
            // nodes as an action does.
            RouteClass::Action if entry.ids.first_param(IdKind::Action).is_none() => {
                entry
                    .ids
                    .first_copied_param()
                    .unwrap_or_else(|| panic!("{}: no node object named", entry.full_name()))
                    .kind
            }
            RouteClass::Action => IdKind::Action,
            _ => {
                assert_eq!(entry.route.param, None, "{}", entry.full_name());
                continue;
            }
        };
        let index = entry.route.param.expect("routed parameter");
        let id = entry
            .ids
            .param(index)
            .unwrap_or_else(|| panic!("{}: routed parameter carries no ids", entry.full_name()));
        assert_eq!(id.kind, kind, "{}", entry.full_name());
        assert_eq!(
            entry.ids.first_param(kind).map(|p| p.index),
            Some(index),
            "{}: routes on the first id parameter",
            entry.full_name()
        );
    }
}

#[test]
fn id_parameters_have_fitting_types() {
    for entry in spec().entries() {
        for id in &entry.ids.params {
            let ty = &entry.params[id.index].ty;
            let fits = match id.form {
                IdForm::Scalar => ty.is_integer(),
                IdForm::Array => matches!(ty, spec::Type::Array(_)),
                IdForm::MinionId | IdForm::ClientCert => *ty == spec::Type::String,
                IdForm::StructId | IdForm::StructServerId => *ty == spec::Type::Struct,
            };
            assert!(fits, "{}: {:?} on {ty}", entry.full_name(), id.form);
        }
    }
}

#[test]
fn common_results_carry_their_ids() {
    use spec::IdPlace::{Field, Whole};
    let result = |name: &str| {
        let e = spec().overloads(name).into_iter().next().unwrap();
        e.ids.result.clone()
    };
    let has = |name: &str, kind: IdKind, place: spec::IdPlace| {
        assert!(
            result(name)
                .iter()
                .any(|r| r.kind == kind && r.place == place),
            "{name}: {:?}",
            result(name)
        );
    };
    has("system.listSystems", IdKind::System, Field("id".into()));
    has("system.getDetails", IdKind::System, Field("id".into()));
    has(
        "schedule.listAllActions",
        IdKind::Action,
        Field("id".into()),
    );
    has(
        "schedule.listFailedSystems",
        IdKind::System,
        Field("server_id".into()),
    );
    has("system.scheduleReboot", IdKind::Action, Whole);
    has("system.schedulePackageInstall", IdKind::Action, Whole);
    has("system.createSystemProfile", IdKind::System, Whole);
    has("system.provisionSystem", IdKind::Action, Whole);
    let nested =
        |path: &[&str]| spec::IdPlace::Nested(path.iter().map(|m| m.to_string()).collect());
    for by in ["Hostname", "Ip", "Mac"] {
        let name = format!("system.listDuplicatesBy{by}");
        has(&name, IdKind::System, nested(&["systems", "systemId"]));
    }
    has(
        "maintenance.updateSchedule",
        IdKind::Action,
        nested(&["actions", "id"]),
    );
    has(
        "maintenance.updateCalendar",
        IdKind::System,
        nested(&["actions", "affected_system_ids"]),
    );
    has("recurring.highstate.create", IdKind::Schedule, Whole);
    has("recurring.delete", IdKind::Schedule, Whole);
    has(
        "recurring.listByEntity",
        IdKind::Schedule,
        Field("id".into()),
    );
    has(
        "recurringaction.lookupById",
        IdKind::Schedule,
        Field("id".into()),
    );
    assert!(result("actionchain.createChain").is_empty());
    assert!(result("user.listUsers").is_empty());
}

#[test]
fn content_named_by_id_in_one_method_is_marked_there_only() {
    let params = |name: &str| -> Vec<Vec<(usize, IdKind)>> {
        spec()
            .overloads(name)
            .iter()
            .map(|e| e.ids.params.iter().map(|p| (p.index, p.kind)).collect())
            .collect()
    };
    // The label overload names no id; the integer one a configuration
    // channel's.
    let details = params("configchannel.getDetails");
    assert!(
        details.contains(&vec![(1, IdKind::ConfigChannel)]),
        "{details:?}"
    );
    assert!(details.contains(&Vec::new()), "{details:?}");
    assert!(params("channel.software.getDetails").contains(&vec![(1, IdKind::Channel)]));
    assert_eq!(
        params("channel.software.getChannelLastBuildById"),
        [vec![(1, IdKind::Channel)]]
    );
    assert_eq!(
        params("packages.removeSourcePackage"),
        [vec![(1, IdKind::SourcePackage)]]
    );
    assert!(params("channel.software.removeRepo").contains(&vec![(1, IdKind::Repository)]));
    // The `cid` of 4.3's `system.setBaseChannel(sid, cid)`.
    let base = params("system.setBaseChannel");
    assert!(
        base.contains(&vec![(1, IdKind::System), (2, IdKind::Channel)]),
        "{base:?}"
    );
    assert!(base.contains(&vec![(1, IdKind::System)]), "{base:?}");
    // Another namespace's `id` is not one.
    assert!(
        params("kickstart.profile.getVariables")
            .iter()
            .flatten()
            .all(|(_, kind)| *kind != IdKind::ConfigChannel)
    );
    let results = |name: &str| -> Vec<IdKind> {
        spec()
            .overloads(name)
            .iter()
            .flat_map(|e| e.ids.result.iter().map(|r| r.kind))
            .collect()
    };
    for listing in [
        "configchannel.listGlobals",
        "configchannel.lookupChannelInfo",
        "system.config.listChannels",
        "activationkey.listConfigChannels",
    ] {
        assert_eq!(results(listing), [IdKind::ConfigChannel], "{listing}");
    }
    // A revision names its channel by label.
    assert!(results("configchannel.getFileRevision").is_empty());
}

#[test]
fn kickstart_scripts_are_named_by_script_ids() {
    let first = |name: &str| spec().overloads(name).into_iter().next().unwrap();
    let params = |name: &str| -> Vec<(usize, IdKind, spec::IdForm)> {
        first(name)
            .ids
            .params
            .iter()
            .map(|p| (p.index, p.kind, p.form))
            .collect()
    };
    assert_eq!(
        params("kickstart.profile.removeScript"),
        [(2, IdKind::KickstartScript, IdForm::Scalar)]
    );
    assert_eq!(
        params("kickstart.profile.orderScripts"),
        [2, 3, 4].map(|i| (i, IdKind::KickstartScript, IdForm::Array))
    );
    // Every overload of `addScript` answers the id of the script it added.
    for e in spec().overloads("kickstart.profile.addScript") {
        assert_eq!(
            e.ids.result,
            [spec::IdResult::new(
                IdKind::KickstartScript,
                spec::IdPlace::Whole
            )],
            "{}",
            e.params.len()
        );
        assert!(e.ids.params.is_empty());
    }
    let listing = first("kickstart.profile.listScripts");
    assert_eq!(
        listing.ids.result,
        [spec::IdResult::new(
            IdKind::KickstartScript,
            spec::IdPlace::Field("id".into())
        )]
    );
    // Scripts are kept alike on every node: added and changed on all,
    // read from one.
    assert_eq!(listing.route.class, RouteClass::SharedRead);
    for change in ["addScript", "removeScript", "orderScripts"] {
        let e = first(&format!("kickstart.profile.{change}"));
        assert_eq!(e.route.class, RouteClass::Broadcast, "{change}");
    }
    // Other kickstart ids are not scripts'.
    assert!(
        spec()
            .entries()
            .iter()
            .filter(|e| e.namespace != "kickstart.profile")
            .all(|e| e
                .ids
                .params
                .iter()
                .all(|p| p.kind != IdKind::KickstartScript)
                && e.ids
                    .result
                    .iter()
                    .all(|r| r.kind != IdKind::KickstartScript))
    );
}

#[test]
fn shared_content_is_named_by_the_member_its_struct_shows() {
    let named_by = |name: &str, kind: IdKind| -> Option<String> {
        let e = spec().overloads(name).into_iter().next().unwrap();
        let r = e.ids.result.iter().find(|r| r.kind == kind).unwrap();
        r.named_by.clone()
    };
    let has = |name: &str, kind: IdKind, member: Option<&str>| {
        assert_eq!(named_by(name, kind).as_deref(), member, "{name}");
    };
    has(
        "channel.software.listChildren",
        IdKind::Channel,
        Some("label"),
    );
    // The channels applicable to an erratum show theirs beside `channel_id`.
    has(
        "errata.applicableToChannels",
        IdKind::Channel,
        Some("label"),
    );
    // A kickstart tree's `label` is the tree's; an organization trust's
    // channels show no label.
    has("kickstart.tree.list", IdKind::Channel, None);
    has("org.trusts.listChannelsProvided", IdKind::Channel, None);
    has(
        "channel.software.listErrata",
        IdKind::Erratum,
        Some("advisory_name"),
    );
    has(
        "channel.software.listUserRepos",
        IdKind::Repository,
        Some("label"),
    );
    has(
        "contentmanagement.listFilters",
        IdKind::ContentFilter,
        Some("name"),
    );
    has(
        "configchannel.listGlobals",
        IdKind::ConfigChannel,
        Some("label"),
    );
    has(
        "packages.listSourcePackages",
        IdKind::SourcePackage,
        Some("name"),
    );
    // Ids of objects on one node are named by nothing.
    has("system.listSystems", IdKind::System, None);
}

#[test]
fn recurring_schedules_are_named_by_schedule_ids() {
    let param = |name: &str| {
        let e = spec().overloads(name).into_iter().next().unwrap();
        (e.route.class, e.ids.params.clone())
    };
    let schedule = |index, form| {
        vec![spec::IdParam {
            index,
            kind: IdKind::Schedule,
            form,
        }]
    };
    for name in [
        "recurring.delete",
        "recurring.lookupById",
        "recurringaction.delete",
        "recurringaction.lookupById",
    ] {
        assert_eq!(
            param(name),
            (RouteClass::Action, schedule(1, IdForm::Scalar)),
            "{name}"
        );
    }
    for name in [
        "recurring.highstate.update",
        "recurring.custom.update",
        "recurring.playbook.update",
        "recurringaction.update",
    ] {
        assert_eq!(
            param(name),
            (RouteClass::Action, schedule(1, IdForm::StructId)),
            "{name}"
        );
    }
    // `listByEntity` names the entity by id, and `create` names none.
    for name in [
        "recurring.listByEntity",
        "recurringaction.listByEntity",
        "recurring.highstate.create",
    ] {
        assert!(param(name).1.is_empty(), "{name}");
    }
}

#[test]
fn system_groups_are_named_by_group_ids() {
    use spec::IdPlace::{Field, Nested};
    let ids = |name: &str| {
        let e = spec().overloads(name).into_iter().next().unwrap();
        e.ids.clone()
    };
    let group_param = |name: &str, index: usize, form: IdForm| {
        let found = ids(name).param(index).copied();
        assert_eq!(
            found.map(|p| (p.kind, p.form)),
            Some((IdKind::Group, form)),
            "{name}"
        );
    };
    group_param("system.setGroupMembership", 2, IdForm::Scalar);
    group_param("formula.getFormulasByGroupId", 1, IdForm::Scalar);
    group_param("formula.setGroupFormulaData", 1, IdForm::Scalar);
    group_param("activationkey.addServerGroups", 2, IdForm::Array);
    // The id overload of `getDetails`, not the name one.
    let details = spec().overloads("systemgroup.getDetails");
    let by_id: Vec<_> = details
        .iter()
        .filter(|e| e.ids.first_param(IdKind::Group).is_some())
        .collect();
    assert_eq!(by_id.len(), 1);
    assert!(by_id[0].params[1].ty.is_integer());
    // Routing still follows the system, never the group.
    assert_eq!(
        spec()
            .overloads("system.setGroupMembership")
            .into_iter()
            .next()
            .unwrap()
            .route
            .param,
        Some(1)
    );
    let result_has = |name: &str, place: spec::IdPlace| {
        let result = ids(name).result;
        assert!(
            result
                .iter()
                .any(|r| r.kind == IdKind::Group && r.place == place),
            "{name}: {result:?}"
        );
    };
    for name in [
        "systemgroup.create",
        "systemgroup.listAllGroups",
        "systemgroup.getDetails",
        "user.listAssignedSystemGroups",
        "configchannel.listAssignedSystemGroups",
        "system.listGroups",
    ] {
        result_has(name, Field("id".into()));
    }
    result_has("system.listGroups", Field("sgid".into()));
    result_has(
        "activationkey.getDetails",
        Nested(vec!["server_group_ids".into()]),
    );
    result_has(
        "system.listSystemGroupsForSystemsWithEntitlement",
        Nested(vec!["system_groups".into(), "id".into()]),
    );
    assert!(
        !ids("org.getDetails")
            .result
            .iter()
            .any(|r| r.kind == IdKind::Group),
        "an organization's `system_groups` is a count"
    );
}

#[test]
fn override_tables_are_tidy() {
    let mut seen = BTreeSet::new();
    for row in OVERRIDES {
        assert!(!row.reason.is_empty());
        assert!(
            seen.insert((row.namespace, row.method)),
            "duplicate {}.{}",
            row.namespace,
            row.method
        );
        assert!(
            !spec()
                .overloads(&format!("{}.{}", row.namespace, row.method))
                .is_empty()
        );
    }
    for row in RESULT_OVERRIDES {
        assert!(!row.reason.is_empty());
        assert!(
            !spec()
                .overloads(&format!("{}.{}", row.namespace, row.method))
                .is_empty()
        );
    }
}

#[test]
fn nested_id_rows_are_tidy() {
    let mut seen = BTreeSet::new();
    for row in NESTED_IDS {
        assert!(!row.reason.is_empty());
        assert!(
            seen.insert((row.namespace, row.method, row.path)),
            "duplicate {}.{} {:?}",
            row.namespace,
            row.method,
            row.path
        );
    }
}

#[test]
fn objects_each_node_numbers_route_to_the_nodes_holding_them() {
    use spec::IdPlace::{Field, Whole};
    let entry = |name: &str, arity: usize| {
        spec()
            .overloads(name)
            .into_iter()
            .find(|e| e.params.len() == arity)
            .unwrap_or_else(|| panic!("{name}/{arity}"))
    };
    // A call naming one by id goes where it lives, as an action's does.
    for (name, arity, kind, form) in [
        ("image.getDetails", 2, IdKind::Image, IdForm::Scalar),
        ("image.delete", 2, IdKind::Image, IdForm::Scalar),
        ("image.setPillar", 3, IdKind::Image, IdForm::Scalar),
        (
            "image.delta.createDeltaImage",
            5,
            IdKind::Image,
            IdForm::Scalar,
        ),
        (
            "system.provisioning.snapshot.deleteSnapshot",
            2,
            IdKind::Snapshot,
            IdForm::Scalar,
        ),
        (
            "system.provisioning.snapshot.listSnapshotPackages",
            2,
            IdKind::Snapshot,
            IdForm::Scalar,
        ),
        (
            "ansible.removeAnsiblePath",
            2,
            IdKind::AnsiblePath,
            IdForm::Scalar,
        ),
        (
            "ansible.lookupAnsiblePathById",
            2,
            IdKind::AnsiblePath,
            IdForm::Scalar,
        ),
        (
            "user.notifications.deleteNotifications",
            2,
            IdKind::Notification,
            IdForm::Array,
        ),
        (
            "user.notifications.setNotificationsRead",
            2,
            IdKind::Notification,
            IdForm::Array,
        ),
        (
            "system.deletePackageProfile",
            2,
            IdKind::PackageProfile,
            IdForm::Scalar,
        ),
        (
            "subscriptionmatching.pinnedsubscription.delete",
            2,
            IdKind::PinnedSubscription,
            IdForm::Scalar,
        ),
        (
            "system.scap.deleteXccdfScan",
            2,
            IdKind::XccdfScan,
            IdForm::Scalar,
        ),
        (
            "system.scap.getXccdfScanDetails",
            2,
            IdKind::XccdfScan,
            IdForm::Scalar,
        ),
        (
            "system.scap.getXccdfScanRuleResults",
            2,
            IdKind::XccdfScan,
            IdForm::Scalar,
        ),
    ] {
        let e = entry(name, arity);
        assert_eq!(e.route.class, RouteClass::Action, "{name}");
        assert_eq!(e.route.param, Some(1), "{name}");
        let p = e.ids.param(1).unwrap();
        assert_eq!((p.kind, p.form), (kind, form), "{name}");
    }
    // Both images of a delta are translated; the second must live where the first does.
    assert_eq!(
        entry("image.delta.getDetails", 3)
            .ids
            .param(2)
            .unwrap()
            .kind,
        IdKind::Image
    );
    // A snapshot named beside its system follows the system.
    let rollback = entry("system.provisioning.snapshot.rollbackToSnapshot", 3);
    assert_eq!(rollback.route.class, RouteClass::System);
    assert_eq!(rollback.ids.param(2).unwrap().kind, IdKind::Snapshot);
    // The subscription a pin names is shared content, not a pin.
    let pin = entry("subscriptionmatching.pinnedsubscription.create", 3);
    assert_eq!(pin.route.class, RouteClass::System);
    assert!(pin.ids.param(1).is_none());
    // A new Ansible path goes to the node owning its control node.
    let path = entry("ansible.createAnsiblePath", 2);
    assert_eq!(path.route.class, RouteClass::System);
    assert_eq!(
        path.ids.param(1).map(|p| (p.kind, p.form)),
        Some((IdKind::System, IdForm::StructServerId))
    );
    // Results carry their ids.
    for (name, arity, kind, place) in [
        ("image.listImages", 1, IdKind::Image, Field("id".into())),
        ("image.getDetails", 2, IdKind::Image, Field("id".into())),
        ("image.importOSImage", 4, IdKind::Image, Whole),
        (
            "image.delta.listDeltas",
            1,
            IdKind::Image,
            Field("target_id".into()),
        ),
        (
            "system.provisioning.snapshot.listSnapshots",
            3,
            IdKind::Snapshot,
            Field("id".into()),
        ),
        (
            "ansible.listAnsiblePaths",
            2,
            IdKind::AnsiblePath,
            Field("id".into()),
        ),
        (
            "ansible.listAnsiblePaths",
            2,
            IdKind::System,
            Field("server_id".into()),
        ),
        (
            "user.notifications.getNotifications",
            2,
            IdKind::Notification,
            Field("id".into()),
        ),
        (
            "system.listPackageProfiles",
            1,
            IdKind::PackageProfile,
            Field("id".into()),
        ),
        (
            "subscriptionmatching.pinnedsubscription.list",
            1,
            IdKind::PinnedSubscription,
            Field("id".into()),
        ),
        (
            "system.scap.listXccdfScans",
            2,
            IdKind::XccdfScan,
            Field("xid".into()),
        ),
        (
            "system.scap.getXccdfScanDetails",
            2,
            IdKind::XccdfScan,
            Field("xid".into()),
        ),
    ] {
        let e = entry(name, arity);
        assert!(
            e.ids
                .result
                .iter()
                .any(|r| r.kind == kind && r.place == place),
            "{name}: {kind:?} at {place:?} in {:?}",
            e.ids.result
        );
    }
    // No change naming such an object by id is sent to every node.
    for e in spec().entries() {
        let names_one = e
            .ids
            .params
            .iter()
            .any(|p| p.kind.has_copies() && p.kind != IdKind::Schedule);
        assert!(
            !names_one || e.route.class != RouteClass::Broadcast,
            "{} broadcasts a node's own object id",
            e.full_name()
        );
    }
}
