# Runtime-only image for the counter. Build the jar first (./mvnw -B -DskipTests package),
# or let scripts/build-app-image.sh do both. Works with the classic builder, offline.
#   docker build --build-arg BASE_IMAGE=reqcount/jre-standin:17 -t reqcount/replicas-reqcount .
# BASE_IMAGE must be a JRE 17+ image with bash (HEALTHCHECK) and useradd: eclipse-temurin
# (Ubuntu) and the Debian stand-in both qualify; Alpine-based JREs do not.
ARG BASE_IMAGE=eclipse-temurin:21-jre

# Stage 1: split the Boot jar into layers, so a code change rebuilds only the last one.
FROM ${BASE_IMAGE} AS builder
WORKDIR /builder
ARG JAR_FILE=target/*.jar
COPY ${JAR_FILE} application.jar
RUN java -Djarmode=tools -jar application.jar extract --layers --destination extracted

# Stage 2: the layers, least often changed first.
FROM ${BASE_IMAGE}
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /application --no-create-home --shell /usr/sbin/nologin app
WORKDIR /application
COPY --from=builder /builder/extracted/dependencies/ ./
COPY --from=builder /builder/extracted/spring-boot-loader/ ./
COPY --from=builder /builder/extracted/snapshot-dependencies/ ./
COPY --from=builder /builder/extracted/application/ ./
USER app
# Size the heap from the container's memory limit; die (and be replaced) rather than limp on OOM.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# 8083 serves /; 8081 is Actuator (management), reached only on the stack's network.
EXPOSE 8083 8081
# Liveness only (never Redis), on the management port, so a Redis outage never gets healthy replicas killed.
# Plain bash /dev/tcp: no curl or wget needed in the image. The long start period covers
# slow starts when several JVMs start at once on a small host.
HEALTHCHECK --interval=5s --timeout=3s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_PORT:-8081} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 2 status <&3 && [[ $status == *' 200'* ]]"]
# Exec form: the JVM is PID 1 and gets SIGTERM, so graceful shutdown runs.
ENTRYPOINT ["java", "-jar", "application.jar"]
