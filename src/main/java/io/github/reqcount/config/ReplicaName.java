package io.github.reqcount.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The one place that names this replica, before logging starts, so that its log lines, its replies and its
 * metrics carry one name: INSTANCE_NAME (instance-name), else the host's name, read once. It is the setting
 * replica-name, which application.properties gives the structured log formats and ReplicaConfig gives the
 * replies and metrics.
 */
public class ReplicaName implements EnvironmentPostProcessor {

    /** The setting that names the replica, INSTANCE_NAME as a variable; empty or unset means the host's name. */
    public static final String SETTING = "instance-name";

    /** The name worked out, for the rest of the service to read. */
    public static final String PROPERTY = "replica-name";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String name = of(environment.getProperty(SETTING, ""));
        environment.getPropertySources().addLast(new MapPropertySource(PROPERTY, Map.of(PROPERTY, name)));
    }

    /** The instance name when set, else the host's name. */
    static String of(String instanceName) {
        if (!instanceName.isBlank()) {
            return instanceName;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("This host has no name; set INSTANCE_NAME", e);
        }
    }
}
