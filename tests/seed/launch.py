"""Starts the seed services on free loopback ports and prints where they are.

  python launch.py --traces-endpoint http://127.0.0.1:4318/v1/traces \\
                   --traces-endpoint http://127.0.0.1:4328/v1/traces \\
                   --logs-endpoint   http://127.0.0.1:3100/otlp/v1/logs

starts the broker, the web app, the consumer and the producer, waits until
each is up, then prints ONE line of JSON on stdout:

  {"webapp": {"url", "metrics"}, "broker": {"url"}, "producer": {"record"},
   "consumer": {"record"}, "workdir", "logs": {service: path}, "pids": {service: pid}}

and keeps running. With --background-rps the load driver runs in batches of
30 s until stopped (the demo's traffic; the newest ground truth is in
<workdir>/load-latest.json). SIGTERM or Ctrl-C stops every service (SIGTERM, then
SIGKILL after a grace period) and exits 0 once none is left. If a service
dies on its own, the launcher stops the others and exits 1.
Run it with the venv's python (tests/seed/setup.sh prints the venv path).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
READY_TIMEOUT = float(os.environ.get("SEED_READY_TIMEOUT", "60"))
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Children get SIGKILL if the launcher dies without cleaning up (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class Service:
    def __init__(self, name: str, script: str, args: list[str], workdir: str):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, script), *args],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL,
            cwd=HERE, preexec_fn=die_with_parent,
        )

    def wait_ready(self, timeout: float) -> dict:
        """Reads the service's JSON readiness line from its stdout."""
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            if not sel.select(timeout=0.2):
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            if b"\n" in buf:
                line = buf.split(b"\n", 1)[0]
                info = json.loads(line)
                if info.get("ready"):
                    # Keep draining stdout so the service never blocks on a full pipe.
                    threading.Thread(target=self._drain, daemon=True).start()
                    return info
        raise RuntimeError(f"{self.name} not ready within {timeout}s (exit {self.proc.poll()}); "
                           f"log {self.log_path}:\n{tail(self.log_path)}")

    def _drain(self) -> None:
        try:
            for line in self.proc.stdout:
                self.log.write(line)
                self.log.flush()
        except (OSError, ValueError):
            pass

    def stop(self, grace: float) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def tail(path: str, n: int = 30) -> str:
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
    except OSError as e:
        return str(e)


def background_load(args, url: str, workdir: str, stop: threading.Event) -> None:
    """Runs loadgen.py in 30 s batches with a new seed each time until stop is set."""
    batch = 0
    log = open(os.path.join(workdir, "loadgen.log"), "ab")
    while not stop.is_set():
        batch += 1
        proc = subprocess.Popen([
            sys.executable, os.path.join(HERE, "loadgen.py"), "--url", url,
            "--requests", str(max(1, int(args.background_rps * 30))), "--rate", str(args.background_rps),
            "--seed", str(1000 + batch), "--slow-fraction", str(args.background_slow_fraction),
            "--out", os.path.join(workdir, "load-latest.json"),
        ], stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL, cwd=HERE, preexec_fn=die_with_parent)
        while proc.poll() is None:
            if stop.wait(0.5):
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if proc.returncode not in (0, None) and not stop.is_set():
            stop.wait(2)  # the web app may be restarting; do not spin
    log.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--traces-endpoint", action="append", default=[], help="OTLP/HTTP traces URL (repeatable)")
    p.add_argument("--logs-endpoint", action="append", default=[], help="OTLP/HTTP logs URL (repeatable)")
    p.add_argument("--workdir", default="", help="logs and record files (default: a new temp dir)")
    p.add_argument("--messages", type=int, default=0, help="producer messages; 0 = until stopped")
    p.add_argument("--message-interval", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--background-rps", type=float, default=0, help="continuous load on the web app (0: none)")
    p.add_argument("--background-slow-fraction", type=float, default=0.03, help="slow-tail share of that load")
    p.add_argument("--grace", type=float, default=10.0, help="seconds between SIGTERM and SIGKILL")
    args = p.parse_args()

    workdir = args.workdir or tempfile.mkdtemp(prefix="latencylens-seed-")
    os.makedirs(workdir, exist_ok=True)
    export = [a for url in args.traces_endpoint for a in ("--traces-endpoint", url)]
    export += [a for url in args.logs_endpoint for a in ("--logs-endpoint", url)]

    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
    signal.signal(signal.SIGINT, lambda *_: stop_requested.set())

    services: list[Service] = []
    loader = None
    rc = 0
    try:
        broker = Service("broker", "broker.py", [], workdir)
        services.append(broker)
        broker_url = broker.wait_ready(READY_TIMEOUT)["url"]

        producer_record = os.path.join(workdir, "producer.jsonl")
        consumer_record = os.path.join(workdir, "consumer.jsonl")
        webapp = Service("webapp", "webapp.py", ["--seed", str(args.seed), "--quiet", *export], workdir)
        consumer = Service("consumer", "consumer.py", ["--broker", broker_url, "--seed", str(args.seed),
                                                       "--record", consumer_record, *export], workdir)
        services += [webapp, consumer]
        web = webapp.wait_ready(READY_TIMEOUT)
        consumer.wait_ready(READY_TIMEOUT)
        producer = Service("producer", "producer.py", [
            "--broker", broker_url, "--seed", str(args.seed), "--record", producer_record,
            "--messages", str(args.messages), "--interval", str(args.message_interval), *export], workdir)
        services.append(producer)
        producer.wait_ready(READY_TIMEOUT)

        print(json.dumps({
            "webapp": {"url": web["url"], "metrics": web["metrics"], "service": web["service"]},
            "broker": {"url": broker_url},
            "producer": {"record": producer_record, "service": "order-producer"},
            "consumer": {"record": consumer_record, "service": "order-consumer"},
            "workdir": workdir,
            "logs": {s.name: s.log_path for s in services},
            "pids": {s.name: s.proc.pid for s in services},
        }), flush=True)

        if args.background_rps > 0:
            loader = threading.Thread(target=background_load, daemon=True,
                                      args=(args, web["url"], workdir, stop_requested))
            loader.start()

        while not stop_requested.wait(0.5):
            dead = [s for s in services if s.proc.poll() is not None]
            if dead:
                for s in dead:
                    print(f"launch: {s.name} exited with {s.proc.returncode}; log {s.log_path}:\n{tail(s.log_path)}",
                          file=sys.stderr, flush=True)
                rc = 1
                break
    except (RuntimeError, OSError, ValueError) as e:
        print(f"launch: {e}", file=sys.stderr, flush=True)
        rc = 1
    finally:
        stop_requested.set()
        if loader is not None:
            loader.join(15)
        # Producer first so nothing new enters the queue, broker last.
        for s in reversed(services):
            s.stop(args.grace)
    sys.exit(rc)


if __name__ == "__main__":
    main()
