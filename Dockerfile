# Build on Debian 12 with the project's own set-up script, run on Debian 12 slim.
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN tools/dev.sh deps \
 && cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBASALT_TESTS=OFF -DBASALT_BENCH=OFF \
 && cmake --build /build --target basalt-server \
 && cmake --install /build --prefix /opt/basalt --component server

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libuv1 libsimdjson14 libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home basalt
COPY --from=build /opt/basalt /opt/basalt
USER basalt
EXPOSE 6379 8080 8081
ENTRYPOINT ["/opt/basalt/bin/basalt-server", "--bind", "0.0.0.0"]
