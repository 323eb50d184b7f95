# The seed services of tests/seed (web app, broker, producer, consumer, load driver) in
# one image; each compose service runs one of them. Build context: tests/seed.
# Same interpreter version as the test machines, and the same pinned requirements.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /seed
COPY requirements.txt ./
RUN python -m pip install --requirement requirements.txt \
 && python -c 'import flask, prometheus_client, opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http'
COPY *.py ./

# Unprivileged: the services only listen on ports above 1024 and write to /tmp.
USER 65534:65534
