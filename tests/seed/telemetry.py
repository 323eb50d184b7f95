"""OpenTelemetry set-up shared by the seed services.

Each service exports its spans over OTLP/HTTP to every endpoint given with
--traces-endpoint (Tempo and Jaeger both take /v1/traces) and its log records
to --logs-endpoint (Loki's /otlp/v1/logs). With no endpoint a signal is not
exported, so a service also runs on its own.

Log records go through the OTel Logs API with the current span's context, so
each record carries the trace and span IDs of the span it was written in; the
same line is printed on stderr for local debugging.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any, Mapping, Optional, Sequence

from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

# Short export delay so the stores have the data a second after it happens.
EXPORT_DELAY_MS = int(os.environ.get("SEED_EXPORT_DELAY_MS", "500"))

SEVERITIES = {
    "DEBUG": SeverityNumber.DEBUG,
    "INFO": SeverityNumber.INFO,
    "WARN": SeverityNumber.WARN,
    "ERROR": SeverityNumber.ERROR,
}


def add_export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--traces-endpoint", action="append", default=[],
                   help="OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces (repeatable)")
    p.add_argument("--logs-endpoint", action="append", default=[],
                   help="OTLP/HTTP logs URL, e.g. http://127.0.0.1:3100/otlp/v1/logs (repeatable)")
    p.add_argument("--instance", default="", help="service.instance.id (default: host:pid)")
    p.add_argument("--quiet", action="store_true", help="do not echo log records on stderr")


class Telemetry:
    """Tracer and logger of one service, flushed and shut down by close()."""

    def __init__(self, service: str, args: argparse.Namespace, version: str = "1.0.0"):
        self.service = service
        self.echo = not args.quiet
        attrs = {
            "service.name": service,
            "service.namespace": "latency-lens-seed",
            "service.version": version,
            "service.instance.id": args.instance or f"{os.uname().nodename}:{os.getpid()}",
            "deployment.environment.name": "seed",
        }
        resource = Resource.create(attrs)
        self.tracer_provider = TracerProvider(resource=resource)
        for url in args.traces_endpoint:
            self.tracer_provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=url, timeout=5),
                                   schedule_delay_millis=EXPORT_DELAY_MS))
        self.logger_provider = LoggerProvider(resource=resource)
        for url in args.logs_endpoint:
            self.logger_provider.add_log_record_processor(
                BatchLogRecordProcessor(OTLPLogExporter(endpoint=url, timeout=5),
                                        schedule_delay_millis=EXPORT_DELAY_MS))
        self.tracer = self.tracer_provider.get_tracer(f"latencylens.seed.{service}", version)
        self._logger = self.logger_provider.get_logger(f"latencylens.seed.{service}", version)
        self._closed = False
        self._lock = threading.Lock()

    def log(self, level: str, body: str, attributes: Optional[Mapping[str, Any]] = None) -> None:
        """Emits a log record in the current span's context (trace and span IDs attached)."""
        self._logger.emit(
            severity_number=SEVERITIES[level],
            severity_text=level,
            body=body,
            attributes=dict(attributes or {}),
        )
        if self.echo:
            ctx = trace.get_current_span().get_span_context()
            ids = f" trace={ctx.trace_id:032x} span={ctx.span_id:016x}" if ctx.is_valid else ""
            print(f"[{self.service}] {level}{ids} {body}", file=sys.stderr, flush=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.tracer_provider.force_flush(5000)
        self.logger_provider.force_flush(5000)
        self.tracer_provider.shutdown()
        self.logger_provider.shutdown()


def ids_of(span: trace.Span) -> tuple[str, str]:
    """Lower-case hex trace and span IDs (32 and 16 characters)."""
    ctx = span.get_span_context()
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def announce(**fields: Any) -> None:
    """Prints the one readiness line the launcher waits for (JSON on stdout)."""
    print(json.dumps({"ready": True, **fields}), flush=True)


def on_stop(callback) -> threading.Event:
    """Calls callback once on SIGTERM or SIGINT; returns an event set at that moment."""
    stopping = threading.Event()

    def handler(signum, _frame):
        if not stopping.is_set():
            stopping.set()
            callback()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stopping


def logfmt(pairs: Sequence[tuple[str, Any]]) -> str:
    """Renders key=value pairs; values with spaces or quotes are quoted."""
    out = []
    for k, v in pairs:
        s = str(v)
        if s == "" or any(c in s for c in ' "=\t'):
            s = '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(f"{k}={s}")
    return " ".join(out)
