#!/usr/bin/env python3
"""A call naming thousands of systems on a gateway that has never seen them.

Three simulated nodes of 1000 systems each, registered with a director
(its embedded redb store); a first gateway linked to the director lists
them (the cluster ids are allocated). Then, in rounds, a fresh gateway
process (an empty cache: each id's location is read from the director's
store over HTTP) logs in and schedules a highstate on all 3000 systems in
one `system.scheduleApplyHighstate` call, then once more (warm).

Usage: scripts/cold-split.py [GATEWAY [OTHER_GATEWAY]] [--rounds N]
The gateways default to target/release/gateway; with two, they take turns
(the order reversed every other round), to compare two builds. Needs the
release binaries: cargo build --release -p gateway -p director -p compat-tests
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")

args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
args.add_argument("gateways", nargs="*", default=[os.path.join(RELEASE, "gateway")])
args.add_argument("--rounds", type=int, default=3)
args = args.parse_args()
procs = []


def start(cmd, env=None):
    """Starts `cmd`; its base URL once it says it is listening."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    procs.append(p)
    for line in p.stdout:
        if "listening on " in line:
            return p, line.split("listening on ")[1].split()[0].removesuffix("/rpc/api")
    raise SystemExit(f"{cmd[0]} did not start")


def admin(base, path, body):
    req = urllib.request.Request(
        base + "/api/v1" + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer admin-token", "Content-Type": "application/json"},
    )
    urllib.request.urlopen(req).read()


work = tempfile.mkdtemp()
try:
    for name in ["admin", "client", "node", "gateway"]:
        with open(os.path.join(work, name), "w") as f:
            f.write(f"{name}-token")
    with open(os.path.join(work, "director.toml"), "w") as f:
        f.write(
            f'listen = "127.0.0.1:0"\n[store]\nengine = "redb"\npath = "{work}/director.redb"\n'
            f'[auth]\nadmin_token_file = "{work}/admin"\nclient_token_file = "{work}/client"\n'
            f'node_token_file = "{work}/node"\ngateway_token_file = "{work}/gateway"\n'
        )
    sim = os.path.join(RELEASE, "uyuni-sim")
    sims = [start([sim, "--systems", "1000", "--name", f"n{i}", "--seed", str(i)])[1] for i in (1, 2, 3)]
    _, director = start([os.path.join(RELEASE, "director"), "serve", "--config", f"{work}/director.toml"])
    admin(director, "/zones", {"name": "default", "description": "cold-split"})
    for i, url in enumerate(sims, 1):
        node = {"id": f"n{i}", "zone": "default", "api_url": url + "/rpc/api",
                "master": f"n{i}.sim.test", "state": "active", "unseeded": True}
        admin(director, "/nodes", node)
    with open(os.path.join(work, "gateway.toml"), "w") as f:
        f.write(f'[director]\nurl = "{director}"\ntoken_file = "{work}/gateway"\n')

    def gateway(binary):
        env = {**os.environ, "RUST_LOG": "warn"}
        p, url = start([binary, "--config", f"{work}/gateway.toml", "--listen", "127.0.0.1:0"], env)
        return p, xmlrpc.client.ServerProxy(url + "/rpc/api")

    p, rpc = gateway(args.gateways[0])
    key = rpc.auth.login("admin", "admin")
    ids = [s["id"] for s in rpc.system.listSystems(key)]
    p.kill()
    print(f"{len(ids)} systems on 3 nodes, one scheduleApplyHighstate naming all of them")
    for r in range(args.rounds):
        turn = list(enumerate(args.gateways))
        for i, binary in turn if r % 2 == 0 else reversed(turn):
            p, rpc = gateway(binary)
            key = rpc.auth.login("admin", "admin")
            took = []
            for _ in ("cold", "warm"):
                t = time.perf_counter()
                rpc.system.scheduleApplyHighstate(key, ids, xmlrpc.client.DateTime(), False)
                took.append((time.perf_counter() - t) * 1000)
            p.kill()
            print(f"round {r} gateway {i + 1} ({binary}): cold {took[0]:.0f} ms, warm {took[1]:.0f} ms")
finally:
    for p in procs:
        p.kill()
    shutil.rmtree(work, ignore_errors=True)
