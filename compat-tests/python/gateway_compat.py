#!/usr/bin/env python3
"""A plain xmlrpc.client script, as administrators write them, for a SUSE
Manager server or for the cluster gateway in front of many: it must run
unchanged against either.

It lists every system (unique ids that fit a 32-bit int), reads the details
of systems of every node (the node is the second label of a simulated host
name), schedules one package install on systems of two nodes in one call
and finds the actions among the actions in progress, schedules one
highstate on the same systems and finds its one action id reaching them all,
creates, finds, changes and deletes recurring highstate schedules (the
organization's and a minion's), creates and deletes an activation key,
creates a kickstart profile and adds, reorders and removes its scripts by
the ids answered, creates a system group, puts systems
of every node in it by the group id the create answered and finds each
group listed once, reads images, snapshots and notifications (which each
server numbers on its own), and checks the exact faults of a bad login, a bad session
key, an unknown method, an unknown namespace and wrong argument types.

Usage: gateway_compat.py URL [EXPECTED_SYSTEMS]
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import datetime
import xmlrpc.client

from checks import PASSWORD, USER, Checks, arguments, connect, fault_of

URL, EXPECTED = arguments()
check = Checks()
client = connect(check, URL)
check("systemVersion", bool(client.api.systemVersion()))

key = client.auth.login(USER, PASSWORD)
check("session key shape", "x" in key and len(key.split("x")[1]) == 64, key)

systems = client.system.listSystems(key)
ids = [s["id"] for s in systems]
if EXPECTED is not None:
    check("system count", len(systems) == EXPECTED, f"{len(systems)} != {EXPECTED}")
check("unique ids", len(set(ids)) == len(ids))
check("ids fit a signed 32-bit int", all(0 < i < 2**31 for i in ids))
names = [s["name"] for s in systems]
check("listed by name", names == sorted(names))

by_node = {}
for s in systems:
    by_node.setdefault(s["name"].split(".")[1], []).append(s)
print(f"listSystems: {len(systems)} systems from {len(by_node)} node(s)")
for node, members in sorted(by_node.items()):
    for s in members[:3]:
        details = client.system.getDetails(key, s["id"])
        check(f"details id on {node}", details["id"] == s["id"], repr(details.get("id")))
        check(f"details profile_name on {node}", details["profile_name"] == s["name"])

# One package install on systems of two nodes (two systems of the one node
# when there is only one), in one call.
nodes = sorted(by_node)
targets = [by_node[nodes[0]][0]["id"], by_node[nodes[-1]][-1]["id"]]
channel = client.channel.listSoftwareChannels(key)[0]["label"]
package = client.channel.software.listAllPackages(key, channel)[0]["id"]
when = xmlrpc.client.DateTime(datetime.datetime.now())
actions = client.system.schedulePackageInstall(key, targets, [package], when)
check("action ids returned", len(actions) >= 1, repr(actions))
in_progress = [a["id"] for a in client.schedule.listInProgressActions(key)]
check("actions in progress", all(a in in_progress for a in actions), f"{actions} not in {in_progress}")
for sid in targets:
    events = [e["id"] for e in client.system.listSystemEvents(key, sid)]
    check("the system's events name the action", any(a in events for a in actions), f"{events}")

# A highstate on the same systems: one action id, as one server answers,
# that reaches the systems of every node it runs on.
highstate = client.system.scheduleApplyHighstate(key, targets, when, False)
check("one action id", isinstance(highstate, int), repr(highstate))
running = sorted(s["server_id"] for s in client.schedule.listInProgressSystems(key, highstate))
check("the action's systems", running == sorted(set(targets)), f"{running} != {sorted(set(targets))}")
listed = [a for a in client.schedule.listInProgressActions(key) if a["id"] == highstate]
check(
    "the action listed once, its systems counted",
    len(listed) == 1 and listed[0]["inProgressSystems"] == len(set(targets)),
    repr(listed),
)

# An activation key on every node, then gone again.
made = client.activationkey.create(key, "gw-compat", "made by gateway_compat.py", "", [], False)
check("activation key created", made == "1-gw-compat", made)
listed = [k["key"] for k in client.activationkey.listActivationKeys(key)]
check("activation key listed", made in listed)
check("activation key deleted", client.activationkey.delete(key, made) == 1)
listed = [k["key"] for k in client.activationkey.listActivationKeys(key)]
check("activation key gone", made not in listed)

# A kickstart profile on every node: its scripts added, reordered and
# removed by the ids the server (or the cluster) answered.
ks = "gw-compat-ks"
made = client.kickstart.createProfile(key, ks, "none", "sles15-sp6-x86_64", "suma.example.test", "s3cret-root")
check("kickstart profile created", made == 1, repr(made))
motd = client.kickstart.profile.addScript(key, ks, "motd", "echo motd", "", "post", True)
part = client.kickstart.profile.addScript(key, ks, "part", "echo part", "", "pre", False)
scripts = client.kickstart.profile.listScripts(key, ks)
check("scripts listed under the ids added", sorted(s["id"] for s in scripts) == sorted([motd, part]), repr(scripts))
check("scripts reordered", client.kickstart.profile.orderScripts(key, ks, [part], [motd], []) == 1)
moved = [s for s in client.kickstart.profile.listScripts(key, ks) if s["id"] == motd]
check("the post script runs before registration", len(moved) == 1 and moved[0]["beforeRegistration"], repr(moved))
check("script removed", client.kickstart.profile.removeScript(key, ks, motd) == 1)
left = [s["name"] for s in client.kickstart.profile.listScripts(key, ks)]
check("the other script kept", left == ["part"], repr(left))
check("kickstart profile deleted", client.kickstart.deleteProfile(key, ks) == 1)

# A system group: made on every node, listed once, systems of every node
# put in it by the one id the create answered, counted over the nodes.
group = client.systemgroup.create(key, "gw-compat", "made by gateway_compat.py")
groups = client.systemgroup.listAllGroups(key)
group_names = [g["name"] for g in groups]
check("each group listed once", len(group_names) == len(set(group_names)), repr(group_names))
check("the group listed under its id", [g["id"] for g in groups if g["name"] == "gw-compat"] == [group["id"]])
members = [by_node[n][0]["id"] for n in nodes]
for sid in members:
    check("system put in the group", client.system.setGroupMembership(key, sid, group["id"], True) == 1)
    listed = [g for g in client.system.listGroups(key, sid) if g["id"] == group["id"]]
    check("the system's groups show it", len(listed) == 1 and listed[0]["subscribed"] == 1, repr(listed))
details = client.systemgroup.getDetails(key, "gw-compat")
check("the group's systems counted", details["system_count"] == len(members), repr(details))
entitled = client.system.listSystemGroupsForSystemsWithEntitlement(key, "salt_entitlement")
check("every system listed with its groups", sorted(s["id"] for s in entitled) == sorted(ids), repr(entitled)[:200])
in_group = sorted(s["id"] for s in entitled for g in s["system_groups"] if g["id"] == group["id"])
check("the group's systems found by its id", in_group == sorted(members), repr(in_group))
check("group assigned to the user", client.user.addAssignedSystemGroup(key, USER, "gw-compat", True) == 1)
for listing in ("listAssignedSystemGroups", "listDefaultSystemGroups"):
    mine = [g for g in getattr(client.user, listing)(key, USER) if g["name"] == "gw-compat"]
    check(f"user's group by {listing}", [g["id"] for g in mine] == [group["id"]], repr(mine))
    check(f"its systems counted by {listing}", [g["system_count"] for g in mine] == [len(members)], repr(mine))
admins = [u["login"] for u in client.systemgroup.listAdministrators(key, "gw-compat")]
check("the group's administrator listed once", admins == [USER], repr(admins))
check("administrator unassigned", client.systemgroup.addOrRemoveAdmins(key, "gw-compat", [USER], 0) == 1)
check("no administrator left", client.systemgroup.listAdministrators(key, "gw-compat") == [])
unadministered = [g["name"] for g in client.systemgroup.listGroupsWithNoAssociatedAdmins(key)]
check("a group without administrators listed once", unadministered.count("gw-compat") == 1, repr(unadministered))
check("default group removed", client.user.removeDefaultSystemGroup(key, USER, "gw-compat") == 1)
check("default group gone", all(g["id"] != group["id"] for g in client.user.listDefaultSystemGroups(key, USER)))
check("system group deleted", client.systemgroup.delete(key, "gw-compat") == 1)
check("a deleted group is no user's", all(g["name"] != "gw-compat" for g in client.user.listAssignedSystemGroups(key, USER)))

# Recurring highstate schedules: one for the organization (on every node
# of a cluster) and one for a minion, found, changed and deleted by the id
# the create answered.
orgs = client.org.listOrgs(key)
check("each organization listed once", len({o["id"] for o in orgs}) == len(orgs), repr(orgs))
org = orgs[0]["id"]
check("the organization's systems counted", orgs[0]["systems"] == len(ids), f"{orgs[0]['systems']} != {len(ids)}")
check("its details count them too", client.org.getDetails(key, org)["systems"] == len(ids))
minion_sid = by_node[nodes[-1]][0]["id"]
props = {"entity_type": "ORG", "entity_id": org, "name": "gw-compat nightly", "cron_expr": "0 0 2 ? * *"}
org_schedule = client.recurring.highstate.create(key, props)
props = dict(props, entity_type="MINION", entity_id=minion_sid, name="gw-compat minion")
minion_schedule = client.recurring.highstate.create(key, props)
check("two schedule ids", org_schedule != minion_schedule, f"{org_schedule} {minion_schedule}")
listed = [r["id"] for r in client.recurring.listByEntity(key, "ORG", org)]
check("the org schedule listed once", listed.count(org_schedule) == 1, repr(listed))
listed = client.recurring.listByEntity(key, "MINION", minion_sid)
check(
    "the minion schedule listed under its system",
    [(r["id"], r["entity_id"]) for r in listed] == [(minion_schedule, minion_sid)],
    repr(listed),
)
renamed = client.recurring.highstate.update(key, {"id": org_schedule, "name": "gw-compat renamed"})
check("schedule updated", renamed == org_schedule, repr(renamed))
found = client.recurring.lookupById(key, org_schedule)
check("schedule found renamed", (found["id"], found["name"]) == (org_schedule, "gw-compat renamed"), repr(found))
found = client.recurring.lookupById(key, minion_schedule)
check("minion schedule found", found["entity_id"] == minion_sid, repr(found))
for schedule in (org_schedule, minion_schedule):
    check("schedule deleted", client.recurring.delete(key, schedule) == schedule)
listed = [r["id"] for r in client.recurring.listByEntity(key, "ORG", org)]
check("the org schedule gone", org_schedule not in listed, repr(listed))
gone = fault_of(client.recurring.lookupById, key, org_schedule)
check("deleted schedule fault", gone is not None and gone[0] == 10101, repr(gone))

# Objects each server numbers on its own: every image's details are the
# listed image's, every snapshot's packages its own system's, and the
# notifications of all nodes are one list that one call marks read.
images = client.image.listImages(key)
check("unique image ids", len({i["id"] for i in images}) == len(images), repr([i["id"] for i in images]))
for image in images:
    details = client.image.getDetails(key, image["id"])
    check("image details are the listed image's", details["name"] == image["name"], f"{details['name']} != {image['name']}")
snapshots = 0
for node, members in sorted(by_node.items()):
    for s in members:
        for snap in client.system.provisioning.snapshot.listSnapshots(key, s["id"], {}):
            snapshots += 1
            marks = [p["name"] for p in client.system.provisioning.snapshot.listSnapshotPackages(key, snap["id"])
                     if "-snapshot-" in p["name"]]
            check(f"snapshot packages of a system on {node}", len(marks) == 1 and marks[0].startswith(node + "-"), repr(marks))
check("snapshots found", snapshots > 0)
notes = client.user.notifications.getNotifications(key, False)
check("unique notification ids", len({n["id"] for n in notes}) == len(notes), repr([n["id"] for n in notes]))
unread = [n["id"] for n in client.user.notifications.getNotifications(key, True)]
check("notifications marked read", len(unread) > 0 and client.user.notifications.setNotificationsRead(key, unread) == 1)
check("none left unread", client.user.notifications.getNotifications(key, True) == [])

check(
    "bad login fault",
    fault_of(client.auth.login, USER, "wrong-password")
    == (2950, "redstone.xmlrpc.XmlRpcFault: Either the password or username is incorrect."),
    repr(fault_of(client.auth.login, USER, "wrong-password")),
)
bad_key = "12345x" + "0" * 64
check(
    "bad session fault",
    fault_of(client.system.listSystems, bad_key)
    == (-1, "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 12345"),
    repr(fault_of(client.system.listSystems, bad_key)),
)
unknown = fault_of(client.system.noSuchMethod, key)
check(
    "unknown method fault",
    unknown is not None
    and unknown[0] == -1
    and unknown[1].startswith(
        "redstone.xmlrpc.XmlRpcFault: Could not find method: noSuchMethod in class: "
        "com.redhat.rhn.frontend.xmlrpc.system.SystemHandler with params: ["
    ),
    repr(unknown),
)
check(
    "unknown namespace fault",
    fault_of(client.nosuchnamespace.doThing, key) == (-1, "The specified handler cannot be found"),
)
wrong_type = (
    -1,
    "com.redhat.rhn.common.translation.TranslationException: Could not find translator "
    "for class java.lang.String to class java.lang.Integer",
)
check(
    "wrong type fault",
    fault_of(client.system.getDetails, key, "not-a-number") == wrong_type,
    repr(fault_of(client.system.getDetails, key, "not-a-number")),
)
check(
    "not a session key fault",
    fault_of(client.system.listSystems, "not-a-key")
    == (
        -1,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator "
        "for class java.lang.String to interface com.redhat.rhn.domain.user.User",
    ),
)
check(
    "no such system fault",
    fault_of(client.system.getDetails, key, 42) == (-208, "redstone.xmlrpc.XmlRpcFault: No such system"),
)
check("trimmed key", len(client.user.listAssignableRoles(key + "\n")) > 0)

check.finish()
