# Runtime-only image for the counter. Build the jar first (./mvnw -B -DskipTests package),
# or let deploy/scripts/build-app-image.sh do both. Works with the classic builder, offline.
#   docker build --build-arg BASE_IMAGE=reqcount/jre-standin:25 -t reqcount/replicas-reqcount .
# BASE_IMAGE must be a JRE 17+ image with bash (HEALTHCHECK) and useradd: eclipse-temurin
# (Ubuntu) and the Debian stand-in both qualify; Alpine-based JREs do not.
ARG BASE_IMAGE=eclipse-temurin:25-jre

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
# Sized for a small container (the stack's limits: 256M and two CPUs):
# - heap a quarter of the limit (64M at 256M), and Serial GC: a heap that small is collected in a few
#   milliseconds by one thread, leaving both CPUs to the requests and the JIT; 512k thread stacks, a 48M code cache;
# - the archive below mapped where it was built (ArchiveRelocationMode=0) rather than moved, so its pages stay
#   clean, file-backed and shared by every replica on a node, instead of a private copy each; the price is that
#   the archive's address is not randomised;
# - malloc with two arenas, and trimmed every 5 s, so the C2 compiler's peaks are handed back;
# - die (and be replaced) rather than limp on OOM;
# - at most 32 Tomcat threads instead of 200: a request holds its thread for well under a millisecond of CPU and
#   its batch's Redis round trip, so 32 keep one or two CPUs busy; each thread more is a stack and a slice of the
#   CPU taken from the JIT while the replica warms up. Requests beyond 32 wait in Tomcat's queue, nothing is refused.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=25 -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=48m \
-XX:TrimNativeHeapInterval=5000 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 \
-XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2 \
    SERVER_TOMCAT_THREADS_MAX=32
# Training run: start the service, serve a few requests (deploy/scripts/training-run.sh), and keep what the JVM
# learned in an archive that every start maps: the AOT cache (classes loaded and linked) on Java 25+, else a
# CDS archive of the loaded classes. Not the method profiles an AOT cache can also hold: with no Redis at build
# time every `/` fails, and profiles of that path would teach the JIT a request path that fails. Same JVM
# options as at run time, plus the Spring AOT code that the Maven build generated (process-aot): bean
# definitions as plain code instead of configuration classes parsed and conditions evaluated at every start.
# A start that must use the archive (-Xshare:on or AOTMode=on) then fails the build rather than let a JVM
# ignore it unnoticed.
COPY deploy/scripts/training-run.sh /tmp/training-run.sh
RUN set -e; \
    major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'); \
    if [ "$major" -ge 25 ]; then record="-XX:AOTCacheOutput=app.aot -XX:-AOTRecordTraining"; \
      use=-XX:AOTCache=app.aot; must=-XX:AOTMode=on; \
    else record=-XX:ArchiveClassesAtExit=app.jsa; use=-XX:SharedArchiveFile=app.jsa; must=-Xshare:on; fi; \
    bash /tmp/training-run.sh $record -Dspring.aot.enabled=true; \
    rm /tmp/training-run.sh; echo "$use -Dspring.aot.enabled=true" > jvm.args; \
    java "$must" @jvm.args -Dspring.context.exit=onRefresh -jar application.jar >check.log 2>&1 \
      || { echo "the JVM cannot use the training run's archive:"; cat check.log; exit 1; }; \
    rm check.log
USER app
# 8083 serves /; 8081 is Actuator (management), reached only on the stack's network.
EXPOSE 8083 8081
# Liveness only (never Redis), on the management port, so a Redis outage never gets healthy replicas killed.
# Plain bash /dev/tcp: no curl or wget needed in the image. The long start period covers
# slow starts when several JVMs start at once on a small host.
# Checked every second, so that Swarm sees a new replica healthy (and a rolling update moves on) within a second of
# it answering; five failures in a row (about 5 s) make it unhealthy.
HEALTHCHECK --interval=1s --timeout=2s --start-period=120s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_PORT:-8081} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 2 status <&3 && [[ $status == *' 200'* ]]"]
# Exec form: the JVM is PID 1 and gets SIGTERM, so graceful shutdown runs.
# jvm.args names the training run's archive and turns on the Spring AOT code.
ENTRYPOINT ["java", "@jvm.args", "-jar", "application.jar"]
