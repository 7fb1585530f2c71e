"""Shared bits of the black-box client scripts: their command line, the
client, counted checks and fault capture. Scripts import it from their own
directory."""
import sys
import xmlrpc.client

USER, PASSWORD = "admin", "admin"


def arguments():
    """URL and EXPECTED_SYSTEMS (None when not given) from the command line."""
    return sys.argv[1], (int(sys.argv[2]) if len(sys.argv) > 2 else None)


def connect(check, url):
    """A client for url, once api.getVersion answers a number >= 10.8."""
    client = xmlrpc.client.ServerProxy(url)
    version = client.api.getVersion()
    check("getVersion is a number >= 10.8", float(version) >= 10.8, version)
    return client


class Checks:
    """Counts passed and failed checks and prints each failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, what, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what} {detail}", file=sys.stderr)

    def finish(self):
        """Prints 'N passed, M failed' and exits non-zero on a failure."""
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def fault_of(fn, *args):
    """(faultCode, faultString) of the call's fault, or None if it succeeded."""
    try:
        fn(*args)
    except xmlrpc.client.Fault as f:
        return f.faultCode, f.faultString
    return None
