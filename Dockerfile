# Build stage: compile and package the fat jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage: JRE only, non-root.
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system atrium && useradd --system --gid atrium --home /app atrium \
    && mkdir -p /app/data && chown -R atrium:atrium /app
WORKDIR /app
COPY --from=build /src/target/atrium.jar /app/atrium.jar
COPY jvm.options /app/jvm.options
USER atrium
ENV ATRIUM_DATA_DIR=/app/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live >/dev/null || exit 1
# The same JVM settings as the README's run command (README, "Memory and the JVM").
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/atrium.jar"]
