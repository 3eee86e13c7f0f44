"""Schemathesis hooks for OpenAPITests: keep the daemon's traffic on loopback.

Schemathesis makes up stream URLs; the daemon resolves an API stream's host name before its
egress check, so a made-up name would send a DNS query off the machine. Right before each call,
the authority of a stream URL becomes 127.0.0.1 (scheme, port, path and query are kept, so the
daemon's URL checks still see odd input), and every URL sent is logged for the test to check.

Scan bodies name a source: a URL's authority becomes 127.0.0.1 the same way (and is logged), and
a path is put under scans.file_roots, as bank paths are below.

Bank bodies name files, which the daemon takes only under api.bank_roots: a `path` string becomes
the test's bank file (so banks get added), and the other paths are put under the root (so odd
names are tried there; an absolute one stays outside, and is refused).
"""
import json
import os
import re

import schemathesis

URL_LOG = os.environ["VIGIL_OPENAPI_URL_LOG"]
BANK_FILE = os.environ["VIGIL_OPENAPI_BANK_FILE"]
BANK_ROOT = os.environ["VIGIL_OPENAPI_BANK_ROOT"]
SCAN_ROOT = os.environ["VIGIL_OPENAPI_SCAN_ROOT"]


def loopback(url):
    # Any authority (user information, host, port) becomes 127.0.0.1; no "//", no host at all.
    return re.sub(r"//[^/?#]*", "//127.0.0.1", url, count=1)


@schemathesis.hook
def before_call(context, case, **kwargs):
    body = case.body
    if not isinstance(body, dict):
        return
    if case.operation.path == "/v1/streams" and isinstance(body.get("url"), str):
        body["url"] = loopback(body["url"])
        with open(URL_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(body["url"]) + "\n")
    if case.operation.path == "/v1/scans" and isinstance(body.get("source"), str):
        source = body["source"]
        if "://" in source and not source.lower().startswith("file:"):
            body["source"] = loopback(source)
            with open(URL_LOG, "a", encoding="utf-8") as log:
                log.write(json.dumps(body["source"]) + "\n")
        elif not source.lower().startswith("file:"):
            body["source"] = os.path.join(SCAN_ROOT, source)
    if case.operation.path == "/v1/banks":
        for key in ("path", "paths"):
            value = body.get(key)
            if key == "path" and isinstance(value, str):
                body[key] = BANK_FILE
            elif isinstance(value, str):
                body[key] = os.path.join(BANK_ROOT, value)
            elif isinstance(value, list):
                body[key] = [os.path.join(BANK_ROOT, item) if isinstance(item, str) else item for item in value]
