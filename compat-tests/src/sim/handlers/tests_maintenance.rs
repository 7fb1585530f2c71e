//! In-process tests of maintenance calendars and schedules
//! (`maintenance.*`), numbered by each node, and of kickstart snippets
//! (`kickstart.snippet.*`).

use xmlrpc::{Fault, Struct, Value};

use super::tests::{call, fault_of, field, named_node, redstone, s, unhandled, with_key};
use crate::sim::Node;

fn strs(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|i| s(i)).collect())
}

fn names(v: &Value) -> Vec<&str> {
    v.as_struct().unwrap().iter().map(|(n, _)| n).collect()
}

fn mt(node: &Node, key: &Value, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
    with_key(node, key, &format!("maintenance.{method}"), params)
}

const ICAL: &str = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:patch\nDTSTART:20250101T020000Z\nDTEND:20250101T040000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT\nEND:VCALENDAR\n";

/// What `updateSchedule` and the calendar calls answer for a schedule no
/// system has.
fn nothing_to_reschedule(schedule: &str) -> Value {
    Struct::new()
        .with("strategy", s(""))
        .with("for_schedule_name", s(schedule))
        .with("status", Value::Bool(true))
        .with("message", s("Nothing to reschedule"))
        .with("actions", Value::Array(Vec::new()))
        .into()
}

/// A user without roles, logged in.
fn plain_user(node: &Node, admin: &Value) -> Value {
    let args = ["plain", "plainpass", "P", "U", "p@example.test"].map(s);
    with_key(node, admin, "user.create", args.to_vec()).expect("user.create");
    call(node, "auth.login", vec![s("plain"), s("plainpass")]).expect("login")
}

#[test]
fn calendars_are_numbered_apart_kept_as_given_and_refuse_what_the_server_refuses() {
    let (alpha, ka) = named_node("alpha");
    let (beta, kb) = named_node("beta");
    assert_eq!(
        mt(&alpha, &ka, "listCalendarLabels", vec![]),
        Ok(Value::Array(Vec::new())),
        "none seeded"
    );
    let made = mt(&alpha, &ka, "createCalendar", vec![s("weekly"), s(ICAL)]).unwrap();
    assert_eq!(names(&made), ["id", "orgId", "label", "ical"], "no url");
    assert_eq!(field(&made, "orgId"), &Value::Int(1));
    assert_eq!(field(&made, "label"), &s("weekly"));
    assert_eq!(field(&made, "ical"), &s(ICAL));
    let on_beta = mt(&beta, &kb, "createCalendar", vec![s("weekly"), s(ICAL)]).unwrap();
    assert_ne!(field(&made, "id"), field(&on_beta, "id"), "numbered apart");
    assert_eq!(
        mt(&alpha, &ka, "getCalendarDetails", vec![s("weekly")]),
        Ok(made.clone())
    );
    // The server stores what it is given without parsing it.
    mt(&alpha, &ka, "createCalendar", vec![s("raw"), s("not ical")]).unwrap();
    assert_eq!(
        mt(&alpha, &ka, "listCalendarLabels", vec![]),
        Ok(strs(&["weekly", "raw"]))
    );

    assert_eq!(
        fault_of(mt(
            &alpha,
            &ka,
            "createCalendar",
            vec![s("weekly"), s(ICAL)]
        )),
        (
            10100,
            redstone("Maintenance Calendar 'weekly' already exists")
        )
    );
    assert_eq!(
        fault_of(mt(&alpha, &ka, "getCalendarDetails", vec![s("daily")])),
        (10101, redstone("daily"))
    );
    // With a URL: the label is checked, the download is not modelled.
    assert_eq!(
        fault_of(mt(
            &alpha,
            &ka,
            "createCalendarWithUrl",
            vec![s("weekly"), s("https://cal.example.test/w.ics")]
        )),
        (
            10100,
            redstone("Maintenance Calendar 'weekly' already exists")
        )
    );
    assert_eq!(
        fault_of(mt(
            &alpha,
            &ka,
            "createCalendarWithUrl",
            vec![s("daily"), s("https://cal.example.test/d.ics")]
        ))
        .0,
        -1
    );
    assert_eq!(
        alpha
            .custom_content()
            .maintenance_calendars
            .into_values()
            .collect::<Vec<_>>(),
        ["weekly", "raw"]
    );

    // updateCalendar: members checked, strategies checked, then the label.
    let update = |label: &str, details: Struct, strategies: &[&str]| {
        mt(
            &alpha,
            &ka,
            "updateCalendar",
            vec![s(label), Value::Struct(details), strs(strategies)],
        )
    };
    let new_ical = ICAL.replace("WEEKLY", "DAILY");
    assert_eq!(
        update(
            "weekly",
            Struct::new().with("ical", s(&new_ical)),
            &["Cancel"]
        ),
        Ok(Value::Array(Vec::new())),
        "no schedule uses it"
    );
    assert_eq!(
        field(
            &mt(&alpha, &ka, "getCalendarDetails", vec![s("weekly")]).unwrap(),
            "ical"
        ),
        &s(&new_ical)
    );
    assert_eq!(
        fault_of(update(
            "weekly",
            Struct::new().with("colour", s("red")),
            &[]
        )),
        (2801, redstone("Invalid argument(s): colour"))
    );
    assert_eq!(
        fault_of(update("weekly", Struct::new(), &["Postpone"])),
        (
            -1,
            unhandled("Reschedule Strategy 'Postpone' does not exist.")
        )
    );
    assert_eq!(
        fault_of(update("daily", Struct::new().with("ical", s(ICAL)), &[])),
        (10101, redstone("Entity does not exist: daily"))
    );
    assert_eq!(
        fault_of(update(
            "weekly",
            Struct::new().with("url", s("https://cal.example.test/w.ics")),
            &[]
        ))
        .0,
        -1,
        "a download is not modelled"
    );
    assert_eq!(
        fault_of(mt(
            &alpha,
            &ka,
            "refreshCalendar",
            vec![s("weekly"), strs(&["Fail"])]
        )),
        (10101, redstone("Entity does not exist: url"))
    );

    // Changes are for organization administrators; reads for anyone.
    let plain = plain_user(&alpha, &ka);
    assert_eq!(
        fault_of(mt(&alpha, &plain, "createCalendar", vec![s("p"), s(ICAL)])).0,
        -23
    );
    assert_eq!(
        fault_of(mt(
            &alpha,
            &plain,
            "deleteCalendar",
            vec![s("weekly"), Value::Bool(false)]
        ))
        .0,
        -23
    );
    assert!(mt(&alpha, &plain, "getCalendarDetails", vec![s("weekly")]).is_ok());

    let delete = |label: &str| {
        mt(
            &alpha,
            &ka,
            "deleteCalendar",
            vec![s(label), Value::Bool(true)],
        )
    };
    assert_eq!(delete("raw"), Ok(Value::Array(Vec::new())));
    assert_eq!(fault_of(delete("raw")), (10101, redstone("raw")));
    assert_eq!(
        mt(&alpha, &ka, "listCalendarLabels", vec![]),
        Ok(strs(&["weekly"]))
    );
}

#[test]
fn schedules_take_a_type_and_maybe_a_calendar_which_a_deletion_takes_away() {
    let (node, key) = named_node("alpha");
    mt(&node, &key, "createCalendar", vec![s("weekly"), s(ICAL)]).unwrap();
    let calendar = mt(&node, &key, "getCalendarDetails", vec![s("weekly")]).unwrap();

    let plain = mt(&node, &key, "createSchedule", vec![s("web"), s("single")]).unwrap();
    assert_eq!(names(&plain), ["id", "orgId", "name", "type"]);
    assert_eq!(field(&plain, "type"), &s("single"));
    let with_cal = mt(
        &node,
        &key,
        "createSchedule",
        vec![s("db"), s("multi"), s("weekly")],
    )
    .unwrap();
    assert_eq!(
        names(&with_cal),
        ["id", "orgId", "name", "type", "calendar"]
    );
    assert_eq!(field(&with_cal, "calendar"), &calendar);
    // An unknown calendar label is no fault: the schedule has none.
    let unknown_cal = mt(
        &node,
        &key,
        "createSchedule",
        vec![s("mail"), s("single"), s("nope")],
    )
    .unwrap();
    assert_eq!(names(&unknown_cal), ["id", "orgId", "name", "type"]);
    assert_eq!(
        mt(&node, &key, "listScheduleNames", vec![]),
        Ok(strs(&["web", "db", "mail"]))
    );
    assert_eq!(
        mt(&node, &key, "getScheduleDetails", vec![s("db")]),
        Ok(with_cal.clone())
    );

    // The type is checked before the name.
    assert_eq!(
        fault_of(mt(
            &node,
            &key,
            "createSchedule",
            vec![s("web"), s("weekly")]
        )),
        (-1, unhandled("Unsupported label: weekly"))
    );
    assert_eq!(
        fault_of(mt(
            &node,
            &key,
            "createSchedule",
            vec![s("web"), s("multi")]
        )),
        (10100, redstone("Maintenance Schedule 'web' already exists"))
    );
    assert_eq!(
        fault_of(mt(&node, &key, "getScheduleDetails", vec![s("dns")])),
        (10101, redstone("dns"))
    );

    let update = |name: &str, details: Struct| {
        mt(
            &node,
            &key,
            "updateSchedule",
            vec![s(name), Value::Struct(details), strs(&[])],
        )
    };
    assert_eq!(
        update(
            "web",
            Struct::new()
                .with("type", s("multi"))
                .with("calendar", s("weekly"))
        ),
        Ok(nothing_to_reschedule("web"))
    );
    let web = mt(&node, &key, "getScheduleDetails", vec![s("web")]).unwrap();
    assert_eq!(field(&web, "type"), &s("multi"));
    assert_eq!(field(&web, "calendar"), &calendar);
    assert_eq!(
        fault_of(update("dns", Struct::new().with("type", s("single")))),
        (10101, redstone("Entity does not exist: dns"))
    );
    assert_eq!(
        fault_of(update(
            "web",
            Struct::new()
                .with("type", s("single"))
                .with("calendar", s("nope"))
        )),
        (10101, redstone("Entity does not exist: nope"))
    );
    assert_eq!(
        fault_of(update("web", Struct::new().with("type", s("weekly")))),
        (-1, unhandled("Unsupported label: weekly"))
    );
    assert_eq!(
        fault_of(update("web", Struct::new().with("owner", s("x")))),
        (2801, redstone("Invalid argument(s): owner"))
    );
    assert_eq!(
        mt(&node, &key, "getScheduleDetails", vec![s("web")]),
        Ok(web),
        "unchanged by the refused calls"
    );
    // An empty calendar label takes the calendar away.
    update("mail", Struct::new().with("calendar", s("weekly"))).unwrap();
    assert_eq!(
        update("mail", Struct::new().with("calendar", s(""))),
        Ok(nothing_to_reschedule("mail"))
    );
    assert_eq!(
        names(&mt(&node, &key, "getScheduleDetails", vec![s("mail")]).unwrap()),
        ["id", "orgId", "name", "type"]
    );

    // A calendar update or deletion reports on every schedule using it;
    // the deletion leaves them without a calendar.
    assert_eq!(
        mt(
            &node,
            &key,
            "updateCalendar",
            vec![
                s("weekly"),
                Value::Struct(Struct::new().with("ical", s(ICAL))),
                strs(&["Fail"])
            ]
        ),
        Ok(Value::Array(vec![
            nothing_to_reschedule("web"),
            nothing_to_reschedule("db")
        ]))
    );
    assert_eq!(
        mt(
            &node,
            &key,
            "deleteCalendar",
            vec![s("weekly"), Value::Bool(false)]
        ),
        Ok(Value::Array(vec![
            nothing_to_reschedule("web"),
            nothing_to_reschedule("db")
        ]))
    );
    assert_eq!(
        names(&mt(&node, &key, "getScheduleDetails", vec![s("db")]).unwrap()),
        ["id", "orgId", "name", "type"]
    );

    assert_eq!(
        mt(&node, &key, "listSystemsWithSchedule", vec![s("db")]),
        Ok(Value::Array(Vec::new()))
    );
    assert_eq!(
        fault_of(mt(&node, &key, "listSystemsWithSchedule", vec![s("dns")])),
        (10101, redstone("dns"))
    );
    assert_eq!(
        mt(&node, &key, "deleteSchedule", vec![s("db")]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        fault_of(mt(&node, &key, "deleteSchedule", vec![s("db")])),
        (10101, redstone("db"))
    );
    let held = node.custom_content();
    assert_eq!(
        held.maintenance_schedules.into_values().collect::<Vec<_>>(),
        ["web", "mail"]
    );
    assert!(held.maintenance_calendars.is_empty());

    let plain = plain_user(&node, &key);
    assert_eq!(
        fault_of(mt(
            &node,
            &plain,
            "createSchedule",
            vec![s("qa"), s("single")]
        ))
        .0,
        -23
    );
    assert_eq!(
        mt(&node, &plain, "listScheduleNames", vec![]),
        Ok(strs(&["web", "mail"]))
    );
}

fn snippet(name: &str, contents: &str) -> Value {
    Struct::new()
        .with("name", s(name))
        .with("contents", s(contents))
        .with("fragment", s(&format!("$SNIPPET('spacewalk/1/{name}')")))
        .with(
            "file",
            s(&format!("/var/lib/cobbler/snippets/spacewalk/1/{name}")),
        )
        .into()
}

#[test]
fn snippets_are_made_or_updated_by_name_and_deleted() {
    let (node, key) = named_node("alpha");
    let sn = |key: &Value, method: &str, params: Vec<Value>| {
        with_key(&node, key, &format!("kickstart.snippet.{method}"), params)
    };
    for method in ["listCustom", "listAll", "listDefault"] {
        assert_eq!(
            sn(&key, method, vec![]),
            Ok(Value::Array(Vec::new())),
            "{method}"
        );
    }
    assert_eq!(
        sn(
            &key,
            "createOrUpdate",
            vec![s("partitions"), s("part / --size 1\r\n")]
        ),
        Ok(snippet("partitions", "part / --size 1\n"))
    );
    sn(
        &key,
        "createOrUpdate",
        vec![s("network"), s("network --bootproto dhcp")],
    )
    .unwrap();
    assert_eq!(
        sn(
            &key,
            "createOrUpdate",
            vec![s("partitions"), s("part / --size 2")]
        ),
        Ok(snippet("partitions", "part / --size 2")),
        "updated in place"
    );
    let both = Value::Array(vec![
        snippet("network", "network --bootproto dhcp"),
        snippet("partitions", "part / --size 2"),
    ]);
    assert_eq!(sn(&key, "listCustom", vec![]), Ok(both.clone()));
    assert_eq!(sn(&key, "listAll", vec![]), Ok(both));
    assert_eq!(
        sn(&key, "listDefault", vec![]),
        Ok(Value::Array(Vec::new()))
    );

    for bad in ["", "a/b", ".hidden", "x&y", "say\"hi\""] {
        assert_eq!(
            fault_of(sn(&key, "createOrUpdate", vec![s(bad), s("x")])).0,
            -1,
            "{bad:?}"
        );
    }
    assert_eq!(
        node.custom_content()
            .kickstart_snippets
            .into_keys()
            .collect::<Vec<_>>(),
        ["network", "partitions"]
    );

    // Listing asks for a configuration administrator; writing for nothing.
    let plain = plain_user(&node, &key);
    assert_eq!(
        fault_of(sn(&plain, "listCustom", vec![])),
        (
            -1,
            unhandled(
                "You do not have permissions to perform this action. You need to have at least a Configuration Administrator role to perform this action"
            )
        )
    );
    assert!(sn(&plain, "createOrUpdate", vec![s("by-plain"), s("x")]).is_ok());

    assert_eq!(sn(&key, "delete", vec![s("network")]), Ok(Value::Int(1)));
    assert_eq!(sn(&key, "delete", vec![s("network")]), Ok(Value::Int(0)));
    assert_eq!(
        node.custom_content()
            .kickstart_snippets
            .into_keys()
            .collect::<Vec<_>>(),
        ["by-plain", "partitions"]
    );
}
