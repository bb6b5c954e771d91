# The image: built on Debian 12 by the project's own set-up script, run on Debian 12 slim.
# Every build-stage step is a tools/dev.sh call that CI makes too: `build` is the function
# tools/dev.sh test builds with, and tests/setup/image_steps_test.sh runs `install` and
# `check-install` on that build. So a blank docs page or a runtime library missing from the
# runtime stage fails CI, not only `docker build`. Needs BuildKit (the default builder).
FROM debian:12 AS build
WORKDIR /src
# The package lists alone first, so that editing the sources does not re-run apt-get and npm.
COPY tools/dev.sh tools/
COPY adapters/http/ui/package.json adapters/http/ui/package-lock.json adapters/http/ui/
# Build packages only, plus npm and Swagger UI (the docs page's files).
RUN tools/dev.sh deps --build-only
COPY . .
# The server compiled as CI's release build is (same flags: only tests and benchmarks left out);
# the install step strips it.
RUN tools/dev.sh build /build -DBASALT_TESTS=OFF -DBASALT_BENCH=OFF basalt-server
# The server component into a staging prefix: bin/basalt-server, share/basalt/swagger-ui.
RUN tools/dev.sh install /build /opt/basalt
# The installed server, started from the prefix, serves the docs page and Swagger UI from it and
# links only libraries of the runtime package set.
RUN tools/dev.sh check-install /opt/basalt

# The runtime stage: the server, its docs page files and the libraries they need, nothing else.
FROM debian:12-slim
RUN --mount=type=bind,from=build,source=/src/tools/dev.sh,target=/tmp/dev.sh \
    /tmp/dev.sh deps --runtime-only && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home-dir /data --no-create-home --shell /usr/sbin/nologin basalt \
 && mkdir /data && chown basalt:basalt /data
COPY --from=build /opt/basalt /opt/basalt
USER basalt
# Snapshots (dump.rdb) and the append-only directory go to /data, a volume: they outlive the
# container. BASALT_DIR points the server there whatever its working directory.
WORKDIR /data
VOLUME /data
ENV BASALT_DIR=/data
EXPOSE 6379 8080 8081
# All interfaces inside the container; what reaches them is decided where ports are published
# (docker-compose.yaml publishes on 127.0.0.1 only). Protected mode stays on in the image: without
# BASALT_REQUIREPASS, `docker run -p` answers every client with Redis's DENIED text, since none
# comes from the container's loopback. Compose turns it off for its 127.0.0.1-only ports.
ENTRYPOINT ["/opt/basalt/bin/basalt-server", "--bind", "0.0.0.0"]
