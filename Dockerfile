# syntax=docker/dockerfile:1
# Build: docker build -t dvcbot .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binary; tzdata is embedded (time/tzdata) so Asia/Ho_Chi_Minh works without /usr/share/zoneinfo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dvcbot ./cmd/dvcbot
# The volume's mount point, owned by the non-root user: a fresh named volume copies this
# ownership, so the bot can create its data file and backups there.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dvcbot /usr/local/bin/dvcbot
COPY --from=build --chown=65532:65532 /out/data /data
# The data file, its backups and the snapshot socket live in /data.
VOLUME ["/data"]
ENV DVCBOT_STORE_PATH=/data/dvcbot.db
# /healthz and /metrics on every interface of the container: publish with -p 127.0.0.1:9090:9090.
ENV DVCBOT_OPS_LISTEN=:9090
EXPOSE 9090
USER nonroot:nonroot
# A damaged data file: serve prints the fix (dvcbot restore --from <newest good backup>) once and
# waits for docker stop instead of exiting, so that --restart unless-stopped does not start it
# again and again; the health check fails meanwhile. Stopped, it exits with status 3.
ENV DVCBOT_ON_DAMAGED_FILE=wait
# No shell or curl in the image: the binary asks its own /healthz.
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s CMD ["/usr/local/bin/dvcbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/dvcbot"]
# Configuration: mount a YAML file and set DVCBOT_CONFIG to its path; every key can also be
# set with DVCBOT_<SECTION>_<KEY> variables (DVCBOT_TELEGRAM_TOKEN, ...).
CMD ["serve"]
