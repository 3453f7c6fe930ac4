# The loadgen image: one image for the three roles, chosen by its arguments (docs/deploy.md):
#   (default)                                            the bundled server with the committed Fashion-MNIST model
#   agent --rmi-port 2222 --rmi-bind 0.0.0.0 ...         a load agent (needs LOADGEN_RMI_TOKEN)
#   run --agents HOST:PORT,... --target URL ...          a coordinator (or any loadgen command)
#
#   docker build -t loadgen .
#   docker build --build-arg MAVEN_PROFILES=-Pgpu --build-arg RUNTIME_BASE=<Java 17 + CUDA 12 + cuDNN 9> -t loadgen-gpu .
#
# The build stage caches Maven's repository between builds (BuildKit, or buildah/podman).

ARG RUNTIME_BASE=eclipse-temurin:17-jre

FROM maven:3.9-eclipse-temurin-17 AS build
# -Pgpu: TensorFlow's linux-x86_64-gpu native library instead of the CPU one (inference-server/pom.xml).
ARG MAVEN_PROFILES=
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests ${MAVEN_PROFILES} package -pl loadgen-cli -am

FROM ${RUNTIME_BASE}
RUN groupadd --system --gid 10001 loadgen \
 && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/loadgen --shell /usr/sbin/nologin loadgen
# The distribution as the launcher runs it: the jar (manifest Class-Path lib/...), its dependencies, the settings file,
# the committed model and the sample images. --model fashion-mnist resolves to models/fashion-mnist in the working
# directory, so that is /opt/loadgen.
WORKDIR /opt/loadgen
COPY --from=build /src/loadgen-cli/target/lib/ /opt/loadgen/lib/
COPY --from=build /src/loadgen-cli/target/loadgen-cli.jar /opt/loadgen/loadgen-cli.jar
COPY conf/ /opt/loadgen/conf/
COPY models/ /opt/loadgen/models/
COPY samples/images/ /opt/loadgen/samples/images/
# TensorFlow's native INFO/WARNING start-up lines, hidden as the launcher hides them.
ENV TF_CPP_MIN_LOG_LEVEL=2
USER 10001:10001
# 8091: the server's HTTP port; 2222: an agent's (or a coordinator's) RMI port; 9464: their Prometheus endpoint.
EXPOSE 8091 2222 9464
ENTRYPOINT ["java", "-Dloadgen.conf=/opt/loadgen/conf/sys.properties", "-jar", "/opt/loadgen/loadgen-cli.jar"]
CMD ["serve", "--host", "0.0.0.0", "--model", "fashion-mnist"]
