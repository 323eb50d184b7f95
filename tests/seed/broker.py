"""A small in-memory message queue over HTTP, standing in for a real broker.

It carries each message's headers untouched (the producer puts a W3C
traceparent there) and is not instrumented itself, like most brokers.

  POST /topics/<topic>              body {"headers": {...}, "payload": ...} -> 202 {"offset": n}
  GET  /topics/<topic>/next?wait=s  -> 200 the oldest message (removed), or 204 after s seconds
  GET  /healthz                     -> 200 {"topics": {name: {"published", "delivered", "queued"}}}
"""

from __future__ import annotations

import argparse
import collections
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from telemetry import announce, on_stop


class Topic:
    def __init__(self):
        self.queue: collections.deque = collections.deque()
        self.cond = threading.Condition()
        self.published = 0
        self.delivered = 0


class Broker:
    def __init__(self):
        self.topics: dict[str, Topic] = {}
        self.lock = threading.Lock()

    def topic(self, name: str) -> Topic:
        with self.lock:
            return self.topics.setdefault(name, Topic())

    def publish(self, name: str, message: dict) -> int:
        t = self.topic(name)
        with t.cond:
            offset = t.published
            t.published += 1
            t.queue.append({**message, "offset": offset})
            t.cond.notify()
        return offset

    def next(self, name: str, wait: float):
        t = self.topic(name)
        with t.cond:
            if not t.queue:
                t.cond.wait_for(lambda: bool(t.queue), timeout=wait)
            if not t.queue:
                return None
            t.delivered += 1
            return t.queue.popleft()

    def stats(self) -> dict:
        with self.lock:
            return {n: {"published": t.published, "delivered": t.delivered, "queued": len(t.queue)}
                    for n, t in self.topics.items()}


def handler_for(broker: Broker):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args):  # quiet
            pass

        def reply(self, code: int, body=None):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            parts = urlparse(self.path).path.strip("/").split("/")
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if len(parts) != 2 or parts[0] != "topics":
                return self.reply(404, {"error": "POST /topics/<topic>"})
            try:
                msg = json.loads(raw)
                if not isinstance(msg, dict) or not isinstance(msg.get("headers", {}), dict):
                    raise ValueError("want an object with a headers object")
            except ValueError as e:
                return self.reply(400, {"error": str(e)})
            self.reply(202, {"offset": broker.publish(parts[1], msg)})

        def do_GET(self):
            u = urlparse(self.path)
            parts = u.path.strip("/").split("/")
            if parts == ["healthz"]:
                return self.reply(200, {"topics": broker.stats()})
            if len(parts) == 3 and parts[0] == "topics" and parts[2] == "next":
                wait = min(30.0, float(parse_qs(u.query).get("wait", ["0"])[0]))
                msg = broker.next(parts[1], wait)
                return self.reply(204) if msg is None else self.reply(200, msg)
            self.reply(404, {"error": "unknown path"})

    return Handler


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(Broker()))
    server.daemon_threads = True
    on_stop(lambda: threading.Thread(target=server.shutdown, daemon=True).start())
    announce(service="broker", url=f"http://{args.host}:{server.server_port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
