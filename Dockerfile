# syntax=docker/dockerfile:1
# Build: docker build -t dvcbot .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binary; tzdata is embedded (time/tzdata) so Asia/Ho_Chi_Minh works without /usr/share/zoneinfo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dvcbot ./cmd/dvcbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dvcbot /usr/local/bin/dvcbot
# The data file, its backups and the snapshot socket live in /data.
VOLUME ["/data"]
ENV DVCBOT_STORE_PATH=/data/dvcbot.db
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/dvcbot"]
# Configuration: mount a YAML file and set DVCBOT_CONFIG to its path; every key can also be
# set with DVCBOT_<SECTION>_<KEY> variables (DVCBOT_TELEGRAM_TOKEN, ...).
CMD ["serve"]
