"""Consumer seed service: takes orders off the queue and stores a shipment.

Per message: a CONSUMER span "orders process" whose parent is the producer's
send span (from the message's traceparent), a CLIENT child "INSERT shipments",
and one log record in the process span (logfmt body with trace_id and
span_id). With --record, every processed message is appended as a JSON line:
  {"messageId", "traceId", "processSpanId", "dbSpanId", "parentSpanId", "timeUnixNano"}
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.error
import urllib.request

from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry import trace

from telemetry import Telemetry, add_export_args, announce, ids_of, logfmt, on_stop

SERVICE = "order-consumer"
TOPIC = "orders"
PROPAGATOR = TraceContextTextMapPropagator()


def next_message(broker: str, wait: float):
    with urllib.request.urlopen(f"{broker}/topics/{TOPIC}/next?wait={wait}", timeout=wait + 5) as resp:
        if resp.status == 204:
            return None
        return json.load(resp)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--broker", required=True, help="broker base URL")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--record", default="", help="append one JSON line per processed message to this file")
    add_export_args(p)
    args = p.parse_args()

    tel = Telemetry(SERVICE, args)
    stopping = on_stop(lambda: None)
    rng = random.Random(args.seed)
    record = open(args.record, "a", encoding="utf-8") if args.record else None
    announce(service=SERVICE)
    tracer = tel.tracer
    try:
        while not stopping.is_set():
            try:
                msg = next_message(args.broker, 1.0)
            except (urllib.error.URLError, OSError):
                stopping.wait(0.5)
                continue
            if msg is None:
                continue
            headers = msg.get("headers", {})
            payload = msg.get("payload", {})
            order_id = payload.get("orderId", "")
            parent_ctx = PROPAGATOR.extract(headers)
            parent_sid = f"{trace.get_current_span(parent_ctx).get_span_context().span_id:016x}"
            t0 = time.perf_counter()
            with tracer.start_as_current_span(f"{TOPIC} process", context=parent_ctx, kind=SpanKind.CONSUMER,
                                              attributes={
                                                  "messaging.system": "seed-queue",
                                                  "messaging.destination.name": TOPIC,
                                                  "messaging.operation.type": "process",
                                                  "messaging.operation.name": "process",
                                                  "messaging.message.id": order_id,
                                                  "messaging.message.offset": msg.get("offset", -1),
                                              }) as span:
                tid, sid = ids_of(span)
                with tracer.start_as_current_span("INSERT shipments", kind=SpanKind.CLIENT, attributes={
                    "db.system.name": "postgresql", "db.namespace": "shipping",
                    "db.operation.name": "INSERT", "db.collection.name": "shipments",
                    "db.query.text": "INSERT INTO shipments (order_id, items) VALUES ($1, $2)",
                }) as db:
                    _, db_sid = ids_of(db)
                    time.sleep(rng.uniform(0.005, 0.03))
                dur_ms = (time.perf_counter() - t0) * 1000.0
                tel.log("INFO", logfmt([("msg", "order processed"), ("order_id", order_id),
                                        ("items", payload.get("items", 0)),
                                        ("duration_ms", f"{dur_ms:.3f}"),
                                        ("trace_id", tid), ("span_id", sid)]),
                        {"order.id": order_id, "messaging.destination.name": TOPIC})
            if record:
                record.write(json.dumps({"messageId": order_id, "traceId": tid, "processSpanId": sid,
                                         "dbSpanId": db_sid, "parentSpanId": parent_sid,
                                         "timeUnixNano": time.time_ns()}) + "\n")
                record.flush()
    finally:
        if record:
            record.close()
        tel.close()


if __name__ == "__main__":
    main()
