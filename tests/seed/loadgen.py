"""Load driver: a bounded, seeded request mix against the web app, and its ground truth.

Every request's latency and status are drawn up front from a seeded RNG and
sent to the web app as X-Seed-Latency-Ms / X-Seed-Status, so the plan does not
depend on timing or concurrency. Latency per request:
  * body: log-normal per route (median and sigma of ln below),
  * slow tail: with probability --slow-fraction, log-normal around --slow-median-ms,
  * errors: with probability --error-rate the request answers 500.
Requests are sent open-loop at --rate per second by --concurrency workers.

The ground truth JSON (--out) holds every request (injected latency, status,
what the server measured from its Server-Timing header, trace ID) and the
p50/p90/p95/p99 of injected and observed latency, overall and per route,
computed as linear interpolation between order statistics (R type 7, numpy's
default, the definition Prometheus' quantile_over_time uses).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.request

# Route template -> (method, path pattern, median ms, sigma of ln). Matches webapp.ROUTES.
ROUTES = {
    "/api/search": ("GET", "/api/search?q=item{n}", 25.0, 0.5),
    "/api/orders/{id}": ("GET", "/api/orders/{n}", 60.0, 0.6),
    "/api/checkout": ("POST", "/api/checkout", 140.0, 0.7),
}
DEFAULT_MIX = "/api/search=0.5,/api/orders/{id}=0.3,/api/checkout=0.2"
QUANTILES = (0.5, 0.9, 0.95, 0.99)
MAX_LATENCY_MS = 8000.0
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")


def quantile_sorted(xs: list[float], q: float) -> float:
    """R type 7: h = (n-1)q, linear between x[floor(h)] and x[floor(h)+1]."""
    if not xs:
        return math.nan
    h = (len(xs) - 1) * q
    i = math.floor(h)
    if i + 1 >= len(xs):
        return xs[-1]
    return xs[i] + (xs[i + 1] - xs[i]) * (h - i)


def stats(values: list[float]) -> dict:
    xs = sorted(v for v in values if v is not None and not math.isnan(v))
    out = {"count": len(xs)}
    if xs:
        out.update({"min": xs[0], "max": xs[-1], "mean": sum(xs) / len(xs)})
        for q in QUANTILES:
            out[f"p{round(q * 100)}"] = quantile_sorted(xs, q)
    return out


def parse_mix(s: str) -> list[tuple[str, float]]:
    mix = []
    for part in s.split(","):
        route, _, w = part.partition("=")
        if route not in ROUTES:
            raise SystemExit(f"unknown route {route!r} in --mix (have {', '.join(ROUTES)})")
        mix.append((route, float(w)))
    total = sum(w for _, w in mix)
    return [(r, w / total) for r, w in mix]


def plan(args) -> list[dict]:
    rng = random.Random(args.seed)
    mix = parse_mix(args.mix)
    reqs = []
    for i in range(args.requests):
        u = rng.random()
        acc = 0.0
        route = mix[-1][0]
        for r, w in mix:
            acc += w
            if u < acc:
                route = r
                break
        method, pattern, median, sigma = ROUTES[route]
        slow = rng.random() < args.slow_fraction
        if slow:
            ms = rng.lognormvariate(math.log(args.slow_median_ms), args.slow_sigma)
        else:
            ms = rng.lognormvariate(math.log(median * args.scale), sigma)
        status = 500 if rng.random() < args.error_rate else 200
        reqs.append({
            "id": f"req-{args.seed}-{i:06d}", "route": route, "method": method,
            "path": pattern.format(n=rng.randint(1, 9999)),
            "injectedMs": round(min(ms, MAX_LATENCY_MS), 3), "slowTail": slow, "plannedStatus": status,
        })
    return reqs


def send(base: str, r: dict, timeout: float) -> None:
    req = urllib.request.Request(base + r["path"], method=r["method"], data=b"{}" if r["method"] == "POST" else None,
                                 headers={"X-Seed-Latency-Ms": str(r["injectedMs"]),
                                          "X-Seed-Status": str(r["plannedStatus"]),
                                          "X-Seed-Request-Id": r["id"],
                                          "Content-Type": "application/json",
                                          "User-Agent": "latency-lens-loadgen/1"})
    t0 = time.time()
    r["startUnixMs"] = round(t0 * 1000.0, 3)
    try:
        try:
            resp = urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError as e:  # 5xx still carries our headers
            resp = e
        with resp:
            resp.read()
            r["status"] = resp.status
            hdrs = resp.headers
        m = SERVER_TIMING.search(hdrs.get("Server-Timing", ""))
        r["observedMs"] = float(m.group(1)) if m else None
        r["traceId"] = hdrs.get("X-Trace-Id", "")
        r["spanId"] = hdrs.get("X-Span-Id", "")
    except (urllib.error.URLError, OSError) as e:
        r["status"] = 0
        r["error"] = str(e)
        r["observedMs"] = None
    r["clientMs"] = round((time.time() - t0) * 1000.0, 3)


def run(args, reqs: list[dict]) -> tuple[float, float]:
    lock = threading.Lock()
    next_i = [0]
    start = time.time() + 0.05
    gap = 1.0 / args.rate if args.rate > 0 else 0.0

    def worker():
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(reqs):
                return
            delay = start + i * gap - time.time()
            if delay > 0:
                time.sleep(delay)
            send(args.url, reqs[i], args.timeout)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return start, time.time()


def summarise(reqs: list[dict]) -> dict:
    def block(rs):
        return {
            "count": len(rs),
            "errors": sum(1 for r in rs if r["status"] >= 500 or r["status"] == 0),
            "injectedMs": stats([r["injectedMs"] for r in rs]),
            "observedMs": stats([r.get("observedMs") for r in rs]),
        }
    by_route = {}
    for route in ROUTES:
        rs = [r for r in reqs if r["route"] == route]
        if rs:
            by_route[route] = block(rs)
    return {"all": block(reqs), "byRoute": by_route}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True, help="web app base URL")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rate", type=float, default=100.0, help="requests per second (0: as fast as possible)")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--mix", default=DEFAULT_MIX, help="route=weight,...")
    p.add_argument("--scale", type=float, default=1.0, help="multiplies every route's median")
    p.add_argument("--slow-fraction", type=float, default=0.03, help="share of requests in the slow tail")
    p.add_argument("--slow-median-ms", type=float, default=900.0)
    p.add_argument("--slow-sigma", type=float, default=0.35)
    p.add_argument("--error-rate", type=float, default=0.02)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--out", default="", help="ground-truth JSON file (default: stdout)")
    args = p.parse_args()

    reqs = plan(args)
    start, end = run(args, reqs)
    failed = [r for r in reqs if r["status"] == 0]
    mismatched = [r for r in reqs if r["status"] not in (0, r["plannedStatus"])]
    truth = {
        "service": "shop-web",
        "metric": "http_server_request_duration_seconds",
        "quantileMethod": "R type 7 (linear between order statistics)",
        "params": {k: v for k, v in vars(args).items() if k not in ("out",)},
        "startUnixMs": round(start * 1000.0, 3),
        "endUnixMs": round(end * 1000.0, 3),
        "transportErrors": len(failed),
        "statusMismatches": len(mismatched),
        "summary": summarise(reqs),
        "requests": reqs,
    }
    text = json.dumps(truth, indent=1)
    if args.out:
        with open(args.out + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        import os
        os.replace(args.out + ".tmp", args.out)
    else:
        print(text)
    s = truth["summary"]["all"]
    print(f"loadgen: {s['count']} requests in {end - start:.1f}s, {s['errors']} errors, "
          f"{len(failed)} transport failures; observed p50={s['observedMs'].get('p50', math.nan):.1f}ms "
          f"p99={s['observedMs'].get('p99', math.nan):.1f}ms", file=sys.stderr)
    sys.exit(1 if failed or mismatched else 0)


if __name__ == "__main__":
    main()
