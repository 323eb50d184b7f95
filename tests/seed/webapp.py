"""Web app seed service: a small shop API with known latency.

Instrumented the way a production Flask service would be:
  * Prometheus: histogram http_server_request_duration_seconds{service,route,method,status}
    with a trace_id/span_id exemplar on every observation, served at /metrics in
    the OpenMetrics format when the scraper asks for it (Prometheus does), which
    is the format that carries exemplars.
  * OpenTelemetry: one SERVER span per request, DB-like CLIENT child spans, and
    log records in those spans (so they carry trace and span IDs). The request
    log line's body is JSON with traceID/spanID/duration_ms; slow DB calls log
    a plain-text line with trace_id=… span_id=… in it.

The latency of a request is injected: the load driver sends X-Seed-Latency-Ms
(and X-Seed-Status: 500 for an error), and the handler spends that long in its
child spans. Without the header the app draws from its own per-route profile.
Every response says what the server measured (the value observed into the
histogram) in Server-Timing, and which trace it belongs to in X-Trace-Id.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import threading
import time

from flask import Flask, Response, request
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics
from prometheus_client.exposition import choose_encoder
from werkzeug.serving import make_server

from telemetry import Telemetry, add_export_args, announce, ids_of, on_stop

SERVICE = "shop-web"

# Bucket bounds in seconds: fine in the body (5–200 ms), coarser in the tail.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
           0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

# Route template -> (method, median ms, sigma of ln, child spans as (name, db op, table, share)).
# Shares add up to < 1; the rest of the latency is spent in the handler itself.
ROUTES = {
    "/api/search": ("GET", 25.0, 0.5, [
        ("SELECT products", "SELECT", "products", 0.8),
    ]),
    "/api/orders/{id}": ("GET", 60.0, 0.6, [
        ("SELECT orders", "SELECT", "orders", 0.5),
        ("SELECT order_items", "SELECT", "order_items", 0.3),
    ]),
    "/api/checkout": ("POST", 140.0, 0.7, [
        ("SELECT carts", "SELECT", "carts", 0.2),
        ("INSERT orders", "INSERT", "orders", 0.3),
        ("payments.charge", None, None, 0.4),
    ]),
}
STATUSES = ("200", "500")
SLOW_QUERY_MS = 100.0


class InjectedError(Exception):
    """The request was asked to fail."""


def build_app(tel: Telemetry, seed: int) -> Flask:
    disable_created_metrics()
    registry = CollectorRegistry()
    hist = Histogram(
        "http_server_request_duration_seconds",
        "Duration of HTTP requests handled by the server, from first byte read to response.",
        ["service", "route", "method", "status"],
        registry=registry,
        buckets=BUCKETS,
    )
    # Every series exists (at zero) before the first request, so the first scrape
    # sees it and rate()/increase() count the first requests too.
    for route, (method, *_rest) in ROUTES.items():
        for status in STATUSES:
            hist.labels(SERVICE, route, method, status)

    rng = random.Random(seed)
    rng_lock = threading.Lock()
    app = Flask(SERVICE)
    tracer = tel.tracer

    def default_latency_ms(route: str) -> float:
        _method, median, sigma, _children = ROUTES[route]
        with rng_lock:
            return rng.lognormvariate(math.log(median), sigma)

    def db_call(name: str, op, table, ms: float) -> None:
        attrs = {"db.system.name": "postgresql", "db.namespace": "shop", "server.address": "db.shop.internal"}
        kind = SpanKind.CLIENT
        if op is None:  # the payment provider, an HTTP dependency
            attrs = {"http.request.method": "POST", "server.address": "payments.example",
                     "url.full": "https://payments.example/v1/charges", "peer.service": "payments"}
        else:
            attrs.update({"db.operation.name": op, "db.collection.name": table,
                          "db.query.text": f"{op} ... {table} WHERE id = $1"})
        with tracer.start_as_current_span(name, kind=kind, attributes=attrs) as span:
            time.sleep(ms / 1000.0)
            if ms >= SLOW_QUERY_MS:
                tid, sid = ids_of(span)
                tel.log("WARN", f"slow call {name} took {ms:.1f}ms trace_id={tid} span_id={sid}",
                        {"call.name": name, "call.duration_ms": round(ms, 3)})

    def serve(route: str) -> Response:
        t0 = time.perf_counter()
        method = ROUTES[route][0]
        request_id = request.headers.get("X-Seed-Request-Id", "")
        attrs = {
            "http.request.method": method,
            "http.route": route,
            "url.path": request.path,
            "url.scheme": "http",
            "server.address": request.host.split(":")[0],
            "user_agent.original": request.headers.get("User-Agent", ""),
        }
        if request_id:
            attrs["seed.request_id"] = request_id
        with tracer.start_as_current_span(f"{method} {route}", kind=SpanKind.SERVER, attributes=attrs) as span:
            tid, sid = ids_of(span)
            hdr = request.headers.get("X-Seed-Latency-Ms")
            injected = float(hdr) if hdr else default_latency_ms(route)
            fail = request.headers.get("X-Seed-Status", "200") == "500"
            status = 200
            try:
                spent = 0.0
                for name, op, table, share in ROUTES[route][3]:
                    db_call(name, op, table, injected * share)
                    spent += injected * share
                time.sleep(max(0.0, injected - spent) / 1000.0)
                if fail:
                    raise InjectedError(f"injected failure for request {request_id or '-'}")
            except InjectedError as e:
                status = 500
                span.record_exception(e)
                span.set_status(Status(StatusCode.ERROR, str(e)))
                span.set_attribute("error.type", "InjectedError")
            span.set_attribute("http.response.status_code", status)
            elapsed = time.perf_counter() - t0
            hist.labels(SERVICE, route, method, str(status)).observe(
                elapsed, exemplar={"trace_id": tid, "span_id": sid})
            line = {
                "msg": "request handled" if status < 500 else "request failed",
                "method": method, "route": route, "status": status,
                "duration_ms": round(elapsed * 1000.0, 3),
                "traceID": tid, "spanID": sid,
            }
            if request_id:
                line["request_id"] = request_id
            tel.log("INFO" if status < 500 else "ERROR", json.dumps(line, separators=(",", ":")),
                    {"http.route": route, "http.response.status_code": status})
        body = json.dumps({"route": route, "status": status, "traceId": tid})
        return Response(body, status=status, mimetype="application/json", headers={
            "X-Trace-Id": tid,
            "X-Span-Id": sid,
            # What the histogram observed, in ms, to the microsecond.
            "Server-Timing": f"app;dur={elapsed * 1000.0:.3f}",
        })

    @app.get("/api/search")
    def search():
        return serve("/api/search")

    @app.get("/api/orders/<int:order_id>")
    def order(order_id: int):
        return serve("/api/orders/{id}")

    @app.post("/api/checkout")
    def checkout():
        return serve("/api/checkout")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": SERVICE}

    @app.get("/metrics")
    def metrics():
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return Response(encoder(registry), headers={"Content-Type": content_type})

    return app


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1, help="seed of the built-in latency draws")
    add_export_args(p)
    args = p.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    tel = Telemetry(SERVICE, args)
    app = build_app(tel, args.seed)
    server = make_server(args.host, args.port, app, threaded=True)
    on_stop(lambda: threading.Thread(target=server.shutdown, daemon=True).start())
    url = f"http://{args.host}:{server.server_port}"
    announce(service=SERVICE, url=url, metrics=url + "/metrics")
    try:
        server.serve_forever()
    finally:
        tel.close()


if __name__ == "__main__":
    main()
