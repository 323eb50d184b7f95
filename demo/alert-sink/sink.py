"""A local webhook sink for Grafana alert notifications (no internet needed).

  POST /alerts   Grafana's webhook payload; one summary line per alert is printed
  GET  /alerts   the last notifications received, newest last, as JSON
  GET  /healthz  200

Standard library only, so it runs in any Python 3.9+ (the demo's seed image, or the host).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEEP = 200


class Sink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: collections.deque = collections.deque(maxlen=KEEP)

    def add(self, payload: dict) -> None:
        with self.lock:
            self.received.append(payload)
        for alert in payload.get("alerts", []) or []:
            labels = alert.get("labels", {})
            print(f"alert-sink: {alert.get('status', '?')} {labels.get('alertname', '?')} "
                  f"{json.dumps(labels, sort_keys=True)} values={json.dumps(alert.get('values'))}",
                  flush=True)

    def snapshot(self) -> list:
        with self.lock:
            return list(self.received)


def handler_for(sink: Sink):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet access log
            pass

        def reply(self, code: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                self.reply(200, {"status": "ok"})
            elif self.path == "/alerts":
                self.reply(200, self.server_sink.snapshot())
            else:
                self.reply(404, {"error": "not found"})

        def do_POST(self):
            if self.path != "/alerts":
                self.reply(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError as e:
                self.reply(400, {"error": f"body is not JSON: {e}"})
                return
            self.server_sink.add(payload)
            self.reply(200, {"status": "received"})

        server_sink = sink

    return Handler


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9099)
    args = p.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(Sink()))
    print(f"alert-sink: listening on http://{args.host}:{server.server_port}/alerts", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
