# uservice as a FROM scratch image: one static executable (or, with VARIANT=closure, the
# dynamically linked binary and its shared libraries), CA certificates, nothing else.
#
#   docker build -t uservice:0.1.0 .
#   docker build --build-arg SWIFT_IMAGE=uservice-builder:local -t uservice:0.1.0 .   # offline
#   docker build --build-arg VARIANT=closure --build-arg TRAITS=Kafka -t uservice:0.1.0-kafka .
#
# The dependency stage sees only Package.swift and the build scripts, with empty stand-ins for
# the project's own Swift sources: editing the sources rebuilds the project, not its
# dependencies (what cargo-chef does for Rust).
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS builder
# Unpinned on purpose: Debian's security updates within bookworm are wanted.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates dpkg-dev libcurl4-openssl-dev librdkafka-dev libssl-dev libyaml-dev make pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

FROM builder AS dependencies
ARG VARIANT=static
ARG TRAITS=
COPY Package.swift ./
COPY scripts/build-static-curl scripts/make-rootfs scripts/
COPY Sources/CCurl Sources/CCurl
COPY Sources/CYaml Sources/CYaml
COPY Sources/CRdKafka Sources/CRdKafka
COPY Sources/CUServicePlugin Sources/CUServicePlugin
COPY Sources/CPluginHost Sources/CPluginHost
COPY Plugins/EchoPluginC Plugins/EchoPluginC
RUN for target in Sources/UServiceSupport Sources/CurlHTTP Sources/K8sClient Sources/HTTPServer \
        Sources/AgentConfiguration Sources/Agent Sources/KafkaOutput Plugins/HelloPluginSwift \
        Tests/UServiceSupportTests Tests/HTTPServerTests Tests/AgentConfigurationTests Tests/AgentTests \
        Tests/KafkaOutputTests Tests/CurlHTTPTests Tests/K8sClientTests Tests/UServiceCLITests; do \
        mkdir -p "$target" && touch "$target/Placeholder.swift"; \
    done \
    && mkdir -p Sources/uservice && touch Sources/uservice/main.swift \
    && TRAITS="$TRAITS" scripts/make-rootfs "$VARIANT" /tmp/placeholder-rootfs

FROM dependencies AS build
ARG VARIANT=static
ARG TRAITS=
RUN find Sources Plugins Tests -name Placeholder.swift -delete && rm Sources/uservice/main.swift
COPY . .
RUN TRAITS="$TRAITS" scripts/make-rootfs "$VARIANT" /rootfs

FROM scratch
COPY --from=build /rootfs /
USER 65532:65532
EXPOSE 7979 8080
ENTRYPOINT ["/uservice"]
CMD ["start"]
