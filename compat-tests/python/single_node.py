#!/usr/bin/env python3
"""A plain xmlrpc.client script, as administrators write them, run against one
SUSE Manager node (or the simulator): logs in, lists every system, reads
details, and checks the exact faults of a bad login, a bad session key, an
unknown method and wrong argument types.

Usage: single_node.py URL [EXPECTED_SYSTEMS]
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import time
import xmlrpc.client

from checks import PASSWORD, USER, Checks, arguments, connect, fault_of

URL, EXPECTED = arguments()
check = Checks()
client = connect(check, URL)

key = client.auth.login(USER, PASSWORD)
check("session key shape", "x" in key and len(key.split("x")[1]) == 64, key)

started = time.monotonic()
systems = client.system.listSystems(key)
elapsed = time.monotonic() - started
print(f"listSystems: {len(systems)} systems in {elapsed:.3f} s")
if EXPECTED is not None:
    check("system count", len(systems) == EXPECTED, f"{len(systems)} != {EXPECTED}")
ids = [s["id"] for s in systems]
check("unique ids", len(set(ids)) == len(ids))
check("ids from 1000010000", min(ids) >= 1000010000 if ids else True)
check("fields", all({"id", "name", "last_checkin"} <= set(s) for s in systems[:100]))
check("last_checkin is a DateTime", isinstance(systems[0]["last_checkin"], xmlrpc.client.DateTime))

first = systems[0]
details = client.system.getDetails(key, first["id"])
check("details id", details["id"] == first["id"])
check("details profile_name", details["profile_name"] == first["name"])
check("details minion_id", bool(details.get("minion_id")))

# A cached key with a trailing newline still works: the server trims strings.
check("trimmed key", len(client.user.listAssignableRoles(key + "\n")) > 0)

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
check(
    "not a session key fault",
    fault_of(client.system.listSystems, "not-a-key")
    == (
        -1,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator "
        "for class java.lang.String to interface com.redhat.rhn.domain.user.User",
    ),
    repr(fault_of(client.system.listSystems, "not-a-key")),
)
check(
    "unknown namespace fault",
    fault_of(client.nosuchnamespace.doThing, key) == (-1, "The specified handler cannot be found"),
    repr(fault_of(client.nosuchnamespace.doThing, key)),
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
    "wrong type fault",
    fault_of(client.system.getDetails, key, "not-a-number")
    == (
        -1,
        "com.redhat.rhn.common.translation.TranslationException: Could not find translator "
        "for class java.lang.String to class java.lang.Integer",
    ),
    repr(fault_of(client.system.getDetails, key, "not-a-number")),
)
check(
    "no such system fault",
    fault_of(client.system.getDetails, key, 42) == (-208, "redstone.xmlrpc.XmlRpcFault: No such system"),
    repr(fault_of(client.system.getDetails, key, 42)),
)
check("logout", client.auth.logout(key) == 1)
check(
    "key is dead after logout",
    fault_of(client.system.listSystems, key) is not None,
)

check.finish()
