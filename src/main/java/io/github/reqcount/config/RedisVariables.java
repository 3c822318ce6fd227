package io.github.reqcount.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The original Redis variables, which application.properties maps onto Boot's spring.data.redis.* (so that
 * SPRING_DATA_REDIS_* work too, and win). Two things a placeholder there can't do are done here, before the
 * context starts: the Sentinel variables are mapped only when REDIS_SENTINEL_MASTER is set, since any
 * spring.data.redis.sentinel.* key, even an empty one, turns Sentinel on; and a bad value stops the start with
 * the original variable's name, which Boot's binding of spring.data.redis.* would not name.
 */
public class RedisVariables implements EnvironmentPostProcessor {

    /** Every original Redis variable: application.properties maps the first six, this class the Sentinel ones. */
    public static final List<String> NAMES = List.of("CONTAINER_DB_HOST", "CONTAINER_DB_PORT", "REDIS_USERNAME",
            "REDIS_PASSWORD", "REDIS_CONNECT_TIMEOUT", "REDIS_COMMAND_TIMEOUT", "REDIS_SENTINEL_MASTER",
            "REDIS_SENTINEL_NODES");

    /** host:port, the port 1 to 65535 without leading zeros. */
    private static final String PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    private static final String NODE = "[^,:\\s]+:" + PORT;
    private static final Pattern NODES = Pattern.compile(NODE + "(," + NODE + ")*");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String port = environment.getProperty("container-db-port", "");
        if (!port.isBlank() && !port.matches(PORT)) {
            throw new IllegalArgumentException("CONTAINER_DB_PORT must be a port from 1 to 65535, not '" + port + "'");
        }
        String master = environment.getProperty("redis-sentinel-master", "");
        String nodes = environment.getProperty("redis-sentinel-nodes", "");
        if (master.isBlank() != nodes.isBlank()) {
            throw new IllegalArgumentException("REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
        }
        if (master.isBlank()) {
            return;
        }
        if (!NODES.matcher(nodes).matches()) {
            throw new IllegalArgumentException("REDIS_SENTINEL_NODES must be host:port,host:port,... with ports from 1 "
                    + "to 65535, not '" + nodes + "'");
        }
        // The service's user is the same on every Redis and every Sentinel (deploy/redis-ha/sentinel-start.sh gives
        // the Sentinels that user, allowed only to ask where the primary is). Last: anything set explicitly wins.
        environment.getPropertySources().addLast(new MapPropertySource("redis-sentinel-variables", Map.of(
                "spring.data.redis.sentinel.master", master,
                "spring.data.redis.sentinel.nodes", nodes,
                "spring.data.redis.sentinel.username", "${spring.data.redis.username:}",
                "spring.data.redis.sentinel.password", "${spring.data.redis.password:}")));
    }
}
