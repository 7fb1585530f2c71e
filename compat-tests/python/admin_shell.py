#!/usr/bin/env python3
"""The admin shell's own call sequences, replayed: spacecmd (uyuni-project/
uyuni, spacecmd/src/spacecmd) cannot be installed here, so each command
below makes the XML-RPC calls its spacecmd function makes, with the same
argument shapes, and reads the results the way it does ('%i' % value,
sorted(), .get()). A comment names the spacecmd function replayed. It must
run unchanged against one SUSE Manager server and against the cluster
gateway in front of many.

Login as do_login does it: api.getVersion (a number >= 10.8), auth.login,
the session file 'username:session\\n', and on the next start the cached key
(read back with its trailing newline, which spacecmd keeps and sends with
every later call) checked with user.listAssignableRoles; a stale cached key
is refused and replaced. Then the system cache, and system_list,
system_details, group_*, activationkey_*, schedule_* (after one highstate on
systems of two nodes), softwarechannel_list, user_list, user_details,
get_apiversion, get_serverversion and the raw api command.

Usage: admin_shell.py URL [EXPECTED_SYSTEMS]
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import datetime
import json
import os
import pickle
import re
import tempfile
import time
import xmlrpc.client
from operator import itemgetter

from checks import PASSWORD, USER, Checks, arguments, fault_of

URL, EXPECTED = arguments()
check = Checks()
MINIMUM_API_VERSION = 10.8  # misc.py
GROUP, KEY = "admin-shell", "admin-shell"


class Shell:
    """What spacecmd keeps between commands (shell.py:SpacewalkShell)."""

    def __init__(self, conf_dir):
        self.conf_dir = conf_dir
        self.client = None
        self.session = ""
        self.api_version = None
        self.all_systems = {}

    def do_login(self):
        # misc.py:do_login
        self.client = xmlrpc.client.Server(URL)
        self.api_version = self.client.api.getVersion()
        check("getVersion is a number >= 10.8", float(self.api_version) >= MINIMUM_API_VERSION)
        session_file = os.path.join(self.conf_dir, "session")
        if os.path.isfile(session_file):
            with open(session_file) as fh:
                for line in fh:
                    parts = line.split(":")
                    if parts[0] == USER:
                        self.session = parts[1]
        if self.session:
            try:
                self.client.user.listAssignableRoles(self.session)
            except xmlrpc.client.Fault:
                self.session = ""  # 'Cached credentials are invalid'
        if not self.session:
            self.session = self.client.auth.login(USER, PASSWORD)
            with open(session_file, "w") as fh:
                fh.write("%s:%s\n" % (USER, self.session))

    def check_api_version(self, want):
        # misc.py:check_api_version
        want_parts = [int(i) for i in want.split(".")]
        have_parts = [int(i) for i in self.api_version.split(".")]
        if len(have_parts) == 2 and len(want_parts) == 2:
            if have_parts[0] == want_parts[0]:
                return have_parts[1] >= want_parts[1]
            return have_parts[0] >= want_parts[0]
        return float(self.api_version) >= float(want)

    def generate_system_cache(self):
        # misc.py:generate_system_cache (and save_system_cache's pickle)
        self.all_systems = {s.get("id"): s.get("name") for s in self.client.system.listSystems(self.session)}
        cache = dict(self.all_systems, expire=datetime.datetime.now())
        check("the system cache pickles", pickle.loads(pickle.dumps(cache, pickle.HIGHEST_PROTOCOL)) == cache)

    def get_system_id(self, name):
        # misc.py:get_system_id
        systems = [i for i, n in self.all_systems.items() if n == "%s" % name]
        return systems[0] if len(systems) == 1 else 0

    def expand_systems(self, args):
        # misc.py:expand_systems (names and group:NAME) + utils.py:filter_results
        systems = []
        for item in args:
            if item.startswith("group:"):
                systems.extend(re.escape(m) for m in self.do_group_listsystems(item[len("group:"):]))
            else:
                systems.append(item)
        patterns = [re.compile("^" + p + "$", re.I) for p in systems]
        return [n for n in self.all_systems.values() if any(p.match(n) for p in patterns)]

    def do_group_listsystems(self, group):
        # group.py:do_group_listsystems(args, doreturn=True)
        try:
            return [s.get("profile_name") for s in self.client.systemgroup.listSystems(self.session, group)]
        except xmlrpc.client.Fault:
            return []  # '%s is not a valid group'

    def system_ids(self, names):
        # group.py:do_group_addsystems / do_group_removesystems: ids in name order
        return [i for i in (self.get_system_id(s) for s in sorted(self.expand_systems(names))) if i]


def logins():
    """misc.py:do_login three times: no session file, the cached key, a stale one."""
    conf_dir = os.path.join(tempfile.mkdtemp(prefix="spacecmd-"), "server")
    os.mkdir(conf_dir, 0o700)
    first = Shell(conf_dir)
    first.do_login()
    key = first.session
    check("session key shape", re.fullmatch(r"[1-9][0-9]*x[0-9a-f]{64}", key) is not None, repr(key))
    with open(os.path.join(conf_dir, "session")) as fh:
        check("session file username:session", fh.read() == "%s:%s\n" % (USER, key))
    shell = Shell(conf_dir)
    shell.do_login()
    check("cached key kept with its newline", shell.session == key + "\n", repr(shell.session))
    stale_key = "999999x" + "0" * 64
    refused = fault_of(first.client.user.listAssignableRoles, stale_key)
    check("a stale key's fault", refused is not None and "Could not find session" in refused[1], repr(refused))
    with open(os.path.join(conf_dir, "session"), "w") as fh:
        fh.write("%s:%s\n" % (USER, stale_key))
    stale = Shell(conf_dir)
    stale.do_login()
    check("a stale key replaced", stale.session not in ("", key + "\n") and "\n" not in stale.session)
    return shell


shell = logins()
c = shell.client  # every call below sends the cached key, newline and all

# system.py:do_system_list
shell.generate_system_cache()
ids = list(shell.all_systems)
lines = sorted("%s : %s" % (v, k) for k, v in shell.all_systems.items())
if EXPECTED is not None:
    check("system count", len(lines) == EXPECTED, f"{len(lines)} != {EXPECTED}")
check("ids are 32-bit ints", all(isinstance(i, int) and 0 < i < 2**31 for i in ids))
check("names unique (get_system_id needs it)", len(set(shell.all_systems.values())) == len(ids))
by_node = {}
for name in sorted(shell.all_systems.values()):
    by_node.setdefault(name.split(".")[1], []).append(name)
nodes = sorted(by_node)
print(f"system cache: {len(ids)} systems from {len(nodes)} node(s)")
# One system of every node; two when there is one node.
targets = [by_node[n][0] for n in nodes] if len(nodes) > 1 else by_node[nodes[0]][:2]

# system.py:do_system_details <one system of every node>
for system in sorted(shell.expand_systems(targets)):
    system_id = shell.get_system_id(system)
    last_checkin = c.system.getName(shell.session, system_id).get("last_checkin")
    details = c.system.getDetails(shell.session, system_id)
    uuid = c.system.getUuid(shell.session, system_id) if shell.check_api_version("10.16") else None
    registered = c.system.getRegistrationDate(shell.session, system_id)
    _ = "System ID:     %i" % system_id
    check("details name", details.get("profile_name") == system, repr(details.get("profile_name")))
    check("uuid a string", isinstance(uuid, str), repr(uuid))
    dates = (last_checkin, registered, details.get("last_boot"))
    check("dates", all(isinstance(d, xmlrpc.client.DateTime) for d in dates), repr(dates))
    network = c.system.getNetwork(shell.session, system_id)
    entitlements = c.system.getEntitlements(shell.session, system_id)
    base = c.system.getSubscribedBaseChannel(shell.session, system_id)
    children = c.system.listSubscribedChildChannels(shell.session, system_id)
    groups = c.system.listGroups(shell.session, system_id)
    kernel = c.system.getRunningKernel(shell.session, system_id)
    keys = sorted(c.system.listActivationKeys(shell.session, system_id))
    try:
        config = [ch.get("label") for ch in c.system.config.listChannels(shell.session, system_id)]
    except xmlrpc.client.Fault as exc:
        config = exc.faultCode  # 10003 is logged at debug level, others as warnings
    check("network hostname", network.get("hostname") == details.get("hostname"), repr(network))
    check("entitlements", "salt_entitlement" in sorted(entitlements), repr(entitlements))
    # The pool of the system's product with both of its children, or none
    # for a release the nodes have not synced (the server's empty struct).
    base_label = base.get("label")
    parents = [ch.get("parent_channel_label") for ch in children]
    synced = base_label is not None and base_label.endswith("-pool-x86_64") and parents == [base_label] * 2
    check("channels", synced or (base_label is None and children == []), repr((base_label, parents)))
    check("no configuration channels or keys", config == [] and keys == [], repr((config, keys)))
    check("kernel", isinstance(kernel, str) and kernel, repr(kernel))
    role_group = "%s-servers" % system.split("-")[0]
    subscribed = [g.get("system_group_name") for g in groups if g.get("subscribed") == 1]
    expected = [role_group] if role_group in ("web-servers", "db-servers", "kube-servers") else []
    check("the system's groups", subscribed == expected, f"{system}: {subscribed}")

# group.py:do_group_list, do_group_create GROUP DESCRIPTION
check("no group left over", GROUP not in [g.get("name") for g in c.systemgroup.listAllGroups(shell.session)])
c.systemgroup.create(shell.session, GROUP, "made by admin_shell.py")
names = [g.get("name") for g in c.systemgroup.listAllGroups(shell.session)]
check("groups listed once", len(names) == len(set(names)) and GROUP in names, repr(names))
check("seeded groups", {"web-servers", "db-servers", "kube-servers"} <= set(names))

# group.py:do_group_addsystems GROUP <systems of every node>: one call
added = shell.system_ids(targets)
check("one id per system", len(added) == len(targets), repr(added))
check("systems added", c.systemgroup.addOrRemoveSystems(shell.session, GROUP, added, True) == 1)


def group_details(group):
    # group.py:do_group_details GROUP
    try:
        details = c.systemgroup.getDetails(shell.session, group)
        systems = [s.get("profile_name") for s in c.systemgroup.listSystems(shell.session, group)]
    except xmlrpc.client.Fault as f:
        return f.faultCode  # '%s is not a valid group'
    _ = "ID:                %i" % details.get("id")
    _ = "Number of Systems: %i" % details.get("system_count")
    return details.get("system_count"), sorted(systems)


check("group details", group_details(GROUP) == (len(targets), sorted(targets)), repr(group_details(GROUP)))
check("group:NAME selects the members", sorted(shell.expand_systems(["group:" + GROUP])) == sorted(targets))


def parse_api_args(args):
    # utils.py:parse_api_args (JSON, else comma-separated ints and strings)
    try:
        parsed = json.loads(args)
        return parsed if isinstance(parsed, list) else [parsed]
    except ValueError:
        return [int(a) if re.match(r"[1-9]\d*", a) else a for a in args.split(",") if a]


def api(name, args="", fmt=""):
    # api.py:do_api [-A ARGS] [-F FORMAT] NAME: the session goes first; faults are ignored
    api_args = parse_api_args(args) if args else []
    try:
        fn = c
        for part in name.split("."):
            fn = getattr(fn, part)
        res = fn(shell.session, *api_args)
    except xmlrpc.client.Fault:
        return None
    res = res if isinstance(res, list) else [res]
    if fmt:
        return "\n".join(fmt % r for r in res)
    return json.dumps(res, indent=2, default=lambda d: time.strftime("%F %T", d.timetuple()))


listed = json.loads(api("system.listSystems"))
check("api system.listSystems", sorted(s["id"] for s in listed) == sorted(ids))
got = json.loads(api("system.getDetails", str(added[0])))
check("api -A SID system.getDetails", [d["id"] for d in got] == [added[0]], repr(got)[:200])
minimal = api("systemgroup.listSystemsMinimal", GROUP, "%(name)s")
# (A server lists them by name; the gateway by id: membership is checked, not order.)
check("api -A GROUP -F %(name)s listSystemsMinimal", sorted(minimal.split("\n")) == sorted(targets), minimal)
check("api api.getVersion (the session makes it a fault)", api("api.getVersion") is None)

# group.py:do_group_removesystems GROUP <all but the first>
removed = shell.system_ids(targets[1:])
check("systems removed", c.systemgroup.addOrRemoveSystems(shell.session, GROUP, removed, False) == 1)
check("one member left", group_details(GROUP) == (1, targets[:1]), repr(group_details(GROUP)))


def activationkey_list():
    # activationkey.py:do_activationkey_list(args, doreturn=True)
    return [k.get("key") for k in c.activationkey.listActivationKeys(shell.session)
            if not re.match("Kickstart re-activation", k.get("description"))]


keys = activationkey_list()
check("keys listed once", len(keys) == len(set(keys)) and "1-web-servers" in keys, repr(keys))
# activationkey.py:do_activationkey_create -n KEY -d DESCRIPTION
made = c.activationkey.create(shell.session, KEY, "made by admin_shell.py", "", [], False)
check("key created", made == "1-" + KEY and activationkey_list().count(made) == 1, repr(made))
# activationkey.py:do_activationkey_addgroups KEY GROUP
group_id = c.systemgroup.getDetails(shell.session, GROUP).get("id")
check("group added to the key", c.activationkey.addServerGroups(shell.session, made, [group_id]) == 1)
# activationkey.py:do_activationkey_details KEY
details = c.activationkey.getDetails(shell.session, made)
config = c.activationkey.listConfigChannels(shell.session, made)
deploy = c.activationkey.checkConfigDeployment(shell.session, made) == 1
groups = sorted(c.systemgroup.getDetails(shell.session, g).get("name") for g in details.get("server_group_ids"))
shown = (details.get("key"), details.get("base_channel_label"), groups)
check("key details", shown == (made, "none", [GROUP]), repr(details))
check("key lists", sorted(details.get("child_channel_labels")) == [] and sorted(details.get("entitlements")) == []
      and sorted(details.get("packages"), key=lambda x: x["name"]) == [] and config == [] and deploy is False)
# activationkey.py:do_activationkey_delete KEY
for k in [k for k in activationkey_list() if re.match("^" + made + "$", k, re.I)]:
    check("key deleted", c.activationkey.delete(shell.session, k) == 1)
check("key gone", made not in activationkey_list())

# group.py:do_group_delete GROUP (its do_group_details('', True) only prints help)
check("group deleted", c.systemgroup.delete(shell.session, GROUP) == 1)
check("group gone", GROUP not in [g.get("name") for g in c.systemgroup.listAllGroups(shell.session)])
check("a deleted group's details", group_details(GROUP) == 2201, repr(group_details(GROUP)))

# Set-up, not a spacecmd command: one highstate on systems of two nodes.
two = [shell.get_system_id(targets[0]), shell.get_system_id(targets[-1])]
action_id = c.system.scheduleApplyHighstate(shell.session, two, xmlrpc.client.DateTime(datetime.datetime.now()), False)


def schedule_summary(action_type):
    # schedule.py:print_schedule_summary: rows (id, C, F, P, name), newest first
    if action_type == "pending":
        actions = c.schedule.listInProgressActions(shell.session)
    else:
        actions, added_ids = [], []
        for a in (c.schedule.listInProgressActions(shell.session) + c.schedule.listCompletedActions(shell.session)
                  + c.schedule.listFailedActions(shell.session)):
            if a.get("id") not in added_ids:
                actions.append(a)
                added_ids.append(a.get("id"))
    check("check_api_version('10.11')", shell.check_api_version("10.11"))
    check("earliest dates", all(isinstance(a.get("earliest"), xmlrpc.client.DateTime) for a in actions))
    return [(a.get("id"), a.get("completedSystems"), a.get("failedSystems"), a.get("inProgressSystems"), a.get("name"))
            for a in sorted(actions, key=itemgetter("id"), reverse=True)]


for command in ("all", "pending"):  # schedule.py:do_schedule_list, do_schedule_listpending
    rows = [r for r in schedule_summary(command) if r[0] == action_id]
    check(f"schedule {command}: the action once", [r[1:4] for r in rows] == [(0, 0, 2)], repr(rows))
# schedule.py:do_schedule_details ID
completed = c.schedule.listCompletedSystems(shell.session, action_id)
failed = c.schedule.listFailedSystems(shell.session, action_id)
pending = c.schedule.listInProgressSystems(shell.session, action_id)
action = dict(map(lambda e: [e.get("id"), e], c.schedule.listAllActions(shell.session))).get(action_id)
check("action found", action is not None and action.get("scheduler") == USER, repr(action))
_ = "ID:        %i" % action.get("id")
check("its systems", (completed, failed) == ([], []) and sorted(s.get("server_name") for s in pending)
      == sorted({targets[0], targets[-1]}), repr(pending))

# softwarechannel.py:do_softwarechannel_list [-v], do_softwarechannel_listbasechannels
labels = sorted(ch.get("label") for ch in c.channel.listAllChannels(shell.session))
check("channels listed once", labels and len(labels) == len(set(labels)), repr(labels))
check("summaries", all(isinstance(c.channel.software.getDetails(shell.session, lb)["summary"], str) for lb in labels))
base = [ch.get("label") for ch in c.channel.listSoftwareChannels(shell.session) if not ch.get("parent_label")]
check("base channels among them", base and set(base) <= set(labels), repr(base))

# user.py:do_user_list, do_user_details USER
users = [u.get("login") for u in c.user.listUsers(shell.session)]
check("users listed once", USER in users and len(users) == len(set(users)), repr(users))
details = c.user.getDetails(shell.session, USER)
roles = c.user.listRoles(shell.session, USER)
assigned = c.user.listAssignedSystemGroups(shell.session, USER)
default = c.user.listDefaultSystemGroups(shell.session, USER)
org = c.org.getDetails(shell.session, details.get("org_id"))
check("user details", details.get("enabled") is True and isinstance(details.get("last_login_date"), str), repr(details))
check("organization", details.get("org_name") == org.get("name") and org.get("name"), repr(org))
check("roles", "org_admin" in sorted(roles) and [g.get("name") for g in assigned + default] == [], repr(roles))

# misc.py:do_get_apiversion, do_get_serverversion
check("get_apiversion", c.api.getVersion() == shell.api_version)
check("get_serverversion", isinstance(c.api.systemVersion(), str))

check.finish()
