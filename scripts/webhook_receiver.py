#!/usr/bin/env python3
"""A webhook receiver for the demo and benchmarks: checks Vigil's HMAC signature, prints each alert.

Listens on 127.0.0.1 only. Duplicate deliveries (same Idempotency-Key) are reported as such.
With --record FILE it appends one JSON line per request: receive time, key, signature check, body.
"""
import argparse
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--record", help="append a JSON line per request to this file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    seen = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received = time.time()
            length = int(self.headers.get("Content-Length", "0"))
            if length > 1 << 20:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)
            timestamp = self.headers.get("X-Vigil-Timestamp", "")
            given = self.headers.get("X-Vigil-Signature", "")
            expected = "sha256=" + hmac.new(args.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(given, expected)
            key = self.headers.get("Idempotency-Key", "")
            duplicate = key in seen
            seen.add(key)
            self.send_response(200 if valid else 401)
            self.end_headers()
            if args.record:
                with open(args.record, "a") as record:
                    record.write(json.dumps({"received": received, "key": key, "valid": valid,
                                             "duplicate": duplicate, "alert": json.loads(body or b"{}")}) + "\n")
            if not args.quiet:
                alert = json.loads(body or b"{}")
                state = "signature valid" if valid else "SIGNATURE INVALID"
                note = " (duplicate delivery)" if duplicate else ""
                print(f"\n\033[1m>> webhook: alert {key}{note}, {state}\033[0m\n" + json.dumps(alert, indent=2), flush=True)

        def log_message(self, *_):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
