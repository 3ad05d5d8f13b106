# The sync job as a small static image that runs as a non-root user.
#
#   docker build -t facolos/etl-sync .
#   docker run --rm facolos/etl-sync -h
#
# deploy/build-steps.sh runs the RUN steps of the build stage without
# Docker (go test ./deploy does, in CI).

# --- build stage ---
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/etl-sync ./examples/sync

# --- runtime stage: no shell, no package manager; CA certificates and
# time zones included ---
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/etl-sync /usr/local/bin/etl-sync
USER 65532:65532
WORKDIR /home/nonroot
# Prometheus /metrics and /healthz (with -every, or -metrics :9464).
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/etl-sync"]
CMD ["-mode", "incremental"]
