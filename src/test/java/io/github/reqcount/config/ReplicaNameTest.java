package io.github.reqcount.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The replica's name, worked out once before logging starts: INSTANCE_NAME or instance-name, else the host's name. */
class ReplicaNameTest {

    @Test
    void theVariableINSTANCE_NAMENamesTheReplica() {
        assertThat(nameFrom(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("INSTANCE_NAME", "reqcount_counter-2"))))
                .isEqualTo("reqcount_counter-2");
    }

    @Test
    void theSettingInstanceNameNamesTheReplica() {
        assertThat(nameFrom(new MapPropertySource("args", Map.of("instance-name", "it-replica")))).isEqualTo("it-replica");
    }

    @Test
    void unsetOrEmptyItIsTheHostsName() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();
        assertThat(nameFrom(new MapPropertySource("none", Map.of()))).isEqualTo(host);
        assertThat(nameFrom(new MapPropertySource("empty", Map.of("instance-name", " ")))).isEqualTo(host);
    }

    private static String nameFrom(PropertySource<?> source) {
        var environment = new StandardEnvironment();
        // Only the source under test: not this machine's own variables.
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(source);
        new ReplicaName().postProcessEnvironment(environment, null);
        return environment.getProperty(ReplicaName.PROPERTY);
    }
}
