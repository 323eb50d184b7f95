"""Producer seed service: places orders and publishes one message per order.

Per order: a root span "place order" (INTERNAL) with a child "orders publish"
(PRODUCER) whose context goes into the message headers as a W3C traceparent,
so the consumer's spans join the same trace. One log record in each span.
With --record, every message's IDs are appended as one JSON line:
  {"messageId", "traceId", "rootSpanId", "sendSpanId", "timeUnixNano"}
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.request

from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from telemetry import Telemetry, add_export_args, announce, ids_of, logfmt, on_stop

SERVICE = "order-producer"
TOPIC = "orders"
PROPAGATOR = TraceContextTextMapPropagator()


def publish(broker: str, headers: dict, payload: dict) -> int:
    body = json.dumps({"headers": headers, "payload": payload}).encode()
    req = urllib.request.Request(f"{broker}/topics/{TOPIC}", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)["offset"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--broker", required=True, help="broker base URL")
    p.add_argument("--messages", type=int, default=0, help="how many to send; 0 = until stopped")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between messages")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--record", default="", help="append one JSON line per message to this file")
    add_export_args(p)
    args = p.parse_args()

    tel = Telemetry(SERVICE, args)
    stopping = on_stop(lambda: None)
    rng = random.Random(args.seed)
    record = open(args.record, "a", encoding="utf-8") if args.record else None
    announce(service=SERVICE)
    tracer = tel.tracer
    sent = 0
    try:
        while not stopping.is_set() and (args.messages == 0 or sent < args.messages):
            order_id = f"ord-{args.seed}-{sent:05d}"
            items = rng.randint(1, 5)
            with tracer.start_as_current_span("place order", kind=SpanKind.INTERNAL,
                                              attributes={"order.id": order_id, "order.items": items}) as root:
                tid, root_sid = ids_of(root)
                tel.log("INFO", logfmt([("msg", "placing order"), ("order_id", order_id),
                                        ("items", items), ("trace_id", tid), ("span_id", root_sid)]),
                        {"order.id": order_id})
                time.sleep(rng.uniform(0.002, 0.01))
                with tracer.start_as_current_span(f"{TOPIC} publish", kind=SpanKind.PRODUCER, attributes={
                    "messaging.system": "seed-queue",
                    "messaging.destination.name": TOPIC,
                    "messaging.operation.type": "send",
                    "messaging.operation.name": "publish",
                    "messaging.message.id": order_id,
                }) as send:
                    _, send_sid = ids_of(send)
                    headers: dict = {}
                    PROPAGATOR.inject(headers)  # traceparent of the send span
                    try:
                        offset = publish(args.broker, headers, {"orderId": order_id, "items": items})
                        send.set_attribute("messaging.destination.partition.id", "0")
                        send.set_attribute("messaging.message.offset", offset)
                        tel.log("INFO", logfmt([("msg", "order published"), ("order_id", order_id),
                                                ("topic", TOPIC), ("offset", offset),
                                                ("trace_id", tid), ("span_id", send_sid)]),
                                {"order.id": order_id, "messaging.destination.name": TOPIC})
                    except OSError as e:
                        send.record_exception(e)
                        send.set_status(Status(StatusCode.ERROR, str(e)))
                        tel.log("ERROR", f"publish of {order_id} failed: {e}", {"order.id": order_id})
                        root.set_status(Status(StatusCode.ERROR, "publish failed"))
                        stopping.wait(args.interval)
                        continue
            sent += 1
            if record:
                record.write(json.dumps({"messageId": order_id, "traceId": tid, "rootSpanId": root_sid,
                                         "sendSpanId": send_sid, "timeUnixNano": time.time_ns()}) + "\n")
                record.flush()
            stopping.wait(args.interval)
        tel.tracer_provider.force_flush(5000)
        tel.logger_provider.force_flush(5000)
        stopping.wait()  # done sending: stay up until stopped, so the launcher sees no crash
    finally:
        if record:
            record.close()
        tel.close()


if __name__ == "__main__":
    main()
