# A store image with a static busybox beside it, so compose health checks can run
# `busybox wget` in images that ship without a shell or an HTTP client (Tempo, the
# OpenTelemetry Collector). The store itself is the unchanged upstream image.
#   build arg BASE_IMAGE: the pinned upstream image, e.g. grafana/tempo:2.10.4
ARG BASE_IMAGE
FROM busybox:1.37.0-musl AS probe

FROM ${BASE_IMAGE}
COPY --from=probe /bin/busybox /usr/local/bin/busybox
