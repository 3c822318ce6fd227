package io.github.reqcount.support;

import io.github.reqcount.ReqcountApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A whole instance of the service on random ports (public and management), named as a replica would be, against
 * the given Redis as the service's own Redis user.
 */
public final class RunningApp implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    /** Starts the service; settings such as "--heartbeat-ttl=2s" may follow. */
    public RunningApp(String instanceName, RedisServer redis, String... settings) {
        this(instanceName, withRedis(redis, settings));
    }

    /** Starts the service with only the given settings, for example a Sentinel's, as the service's Redis user. */
    public RunningApp(String instanceName, List<String> settings) {
        var args = new ArrayList<>(List.of("--instance-name=" + instanceName, "--redis-username=" + RedisServer.USER,
                "--redis-password=" + RedisServer.PASSWORD));
        args.addAll(settings);
        context = start(new SpringApplicationBuilder(ReqcountApplication.class), args);
    }

    /**
     * Starts the service with the given variables as its whole process environment, read as Boot reads a real one
     * (relaxed binding of SPRING_DATA_REDIS_HOST, CONTAINER_DB_HOST, ...), and nothing else but random ports.
     */
    public RunningApp(Map<String, String> environment) {
        var variables = new StandardEnvironment();
        variables.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new HashMap<>(environment)));
        context = start(new SpringApplicationBuilder(ReqcountApplication.class).environment(variables), List.of());
    }

    private static ConfigurableApplicationContext start(SpringApplicationBuilder app, List<String> settings) {
        var args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0"));
        args.addAll(settings);
        return app.run(args.toArray(String[]::new));
    }

    private static List<String> withRedis(RedisServer redis, String... settings) {
        var args = new ArrayList<>(List.of("--container-db-host=" + redis.host(), "--container-db-port=" + redis.port()));
        args.addAll(List.of(settings));
        return args;
    }

    public String url() {
        return "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort() + "/";
    }

    /** The management port's base URL: Actuator answers there, never on {@link #url()}. */
    public String managementUrl() {
        return "http://localhost:" + context.getEnvironment().getProperty("local.management.port") + "/";
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
