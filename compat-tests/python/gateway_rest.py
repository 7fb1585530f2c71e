#!/usr/bin/env python3
"""The compat scenarios of gateway_compat.py again, over SUSE Manager's HTTP
(JSON) API with nothing but Python's urllib, as a script written for the
server's /rhn/manager/api would do it.

It checks the calls that need no login, the answers to a bad login and to a
missing or forged cookie, logs in (the cookie jar keeps pxt-session-cookie),
lists every system (unique ids that fit a 32-bit int), reads the details of
systems of every node, schedules one package install on systems of two nodes
in one call and finds the actions among the actions in progress and in the
systems' events, creates and deletes an activation key, checks the error
answers (unknown method, unknown namespace, wrong types, no such system,
wrong verb) and logs out.

Usage: gateway_rest.py BASE_URL [EXPECTED_SYSTEMS]   (BASE_URL without /rhn)
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import http.cookiejar
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") + "/rhn/manager/api/"
EXPECTED = int(sys.argv[2]) if len(sys.argv) > 2 else None
USER, PASSWORD = "admin", "admin"
NO_METHOD = "No method exists with the matching parameters"

passed = failed = 0


def check(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what} {detail}", file=sys.stderr)


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def request(method, path, query=None, body=None, cookies=True, headers=None):
    """(status, text) of one request; repeated query keys from lists."""
    url = BASE + path
    if query:
        url += "?" + urllib.parse.urlencode(query, doseq=True)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    open_ = opener.open if cookies else urllib.request.urlopen
    try:
        with open_(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def call(method, path, query=None, body=None):
    """The result of a successful call; records a failure otherwise."""
    status, text = request(method, path, query, body)
    answer = json.loads(text) if status == 200 else {}
    check(f"{path} succeeds", answer.get("success") is True, f"{status} {text[:300]}")
    return answer.get("result")


version = call("GET", "api/getVersion")
check("getVersion is a number >= 10.8", float(version or 0) >= 10.8, repr(version))
check("systemVersion", bool(call("GET", "api/systemVersion")))

status, text = request("POST", "auth/login", body={"login": USER, "password": "wrong-password"})
check(
    "bad login: 401 with the message",
    status == 401
    and json.loads(text) == {"success": False, "message": "Either the password or username is incorrect."},
    f"{status} {text}",
)
check("no cookie: 401, empty", request("GET", "system/listSystems") == (401, ""))
forged = {"Cookie": "pxt-session-cookie=12345x" + "0" * 64}
check(
    "forged cookie: 401, empty",
    request("GET", "system/listSystems", cookies=False, headers=forged) == (401, ""),
)

status, text = request("POST", "auth/login", body={"login": USER, "password": PASSWORD})
check("login", (status, text) == (200, '{"success":true}'), f"{status} {text}")
check("cookie kept", any(c.name == "pxt-session-cookie" for c in jar))

systems = call("GET", "system/listSystems") or []
ids = [s["id"] for s in systems]
if EXPECTED is not None:
    check("system count", len(systems) == EXPECTED, f"{len(systems)} != {EXPECTED}")
check("unique ids", len(set(ids)) == len(ids))
check("ids fit a signed 32-bit int", all(0 < i < 2**31 for i in ids))
check("dates are ISO-8601", all(s["last_checkin"][4] == "-" and s["last_checkin"][10] == "T" for s in systems))

by_node = {}
for s in systems:
    by_node.setdefault(s["name"].split(".")[1], []).append(s)
print(f"listSystems: {len(systems)} systems from {len(by_node)} node(s)")
for node, members in sorted(by_node.items()):
    for s in members[:3]:
        details = call("GET", "system/getDetails", {"sid": s["id"]}) or {}
        check(f"details id on {node}", details.get("id") == s["id"], repr(details.get("id")))
        check(f"details profile_name on {node}", details.get("profile_name") == s["name"])

# One package install on systems of two nodes, in one call.
nodes = sorted(by_node)
targets = [by_node[nodes[0]][0]["id"], by_node[nodes[-1]][-1]["id"]]
channel = call("GET", "channel/listSoftwareChannels")[0]["label"]
package = call("GET", "channel/software/listAllPackages", {"channelLabel": channel})[0]["id"]
actions = call(
    "POST",
    "system/schedulePackageInstall",
    body={"sids": targets, "packageIds": [package], "earliestOccurrence": "2024-01-01T00:00:00Z"},
) or []
check("action ids returned", len(actions) >= 1, repr(actions))
in_progress = [a["id"] for a in call("GET", "schedule/listInProgressActions") or []]
check("actions in progress", all(a in in_progress for a in actions), f"{actions} not in {in_progress}")
for sid in targets:
    events = [e["id"] for e in call("GET", "system/listSystemEvents", {"sid": sid}) or []]
    check("the system's events name the action", any(a in events for a in actions), f"{events}")

# An activation key on every node, then gone again.
made = call(
    "POST",
    "activationkey/create",
    body={
        "key": "gw-rest-py",
        "description": "made by gateway_rest.py",
        "baseChannelLabel": "",
        "entitlements": [],
        "universalDefault": False,
    },
)
check("activation key created", made == "1-gw-rest-py", repr(made))
listed = [k["key"] for k in call("GET", "activationkey/listActivationKeys") or []]
check("activation key listed", made in listed)
check("activation key deleted", call("POST", "activationkey/delete", body={"key": made}) == 1)
listed = [k["key"] for k in call("GET", "activationkey/listActivationKeys") or []]
check("activation key gone", made not in listed)

# The error answers.
check("unknown method: 404", request("GET", "system/noSuchMethod")[0] == 404)
check("unknown namespace: 404", request("GET", "nosuchnamespace/doThing")[0] == 404)
check(
    "wrong type: 400",
    request("GET", "system/getDetails", {"sid": "not-a-number"}) == (400, NO_METHOD),
)
check(
    "unknown key: 400",
    request("GET", "system/getDetails", {"sid": 1, "extra": 2}) == (400, NO_METHOD),
)
status, text = request("GET", "system/getDetails", {"sid": 42})
check(
    "no such system: a fault in the envelope",
    status == 200 and json.loads(text) == {"success": False, "message": "No such system"},
    f"{status} {text}",
)
check("wrong verb: 405", request("POST", "system/listSystems", body={})[0] == 405)

status, text = request("GET", "auth/logout")
check("logout", (status, text) == (200, '{"success":true}'), f"{status} {text}")
check("logged out: 401", request("GET", "system/listSystems")[0] == 401)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
