package io.github.reqcount.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.support.Command;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring overlay's Prometheus files, checked by Prometheus's own tool: deploy/monitoring/prometheus.yml and
 * deploy/monitoring/alerts.yml are valid, and every alert passes its unit tests in deploy/monitoring/alerts-test.yml, each with a
 * case where it fires. Needs promtool on PATH (Debian: apt-get install prometheus; testing_infrastructure.sh does).
 */
class AlertRulesIT {

    private static final Path DIR = Path.of("deploy/monitoring");

    @Test
    void prometheusConfigIsValid() throws Exception {
        Command.Result run = promtool("check", "config", DIR.resolve("prometheus.yml").toString());
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void alertRulesAreValid() throws Exception {
        Command.Result run = promtool("check", "rules", DIR.resolve("alerts.yml").toString());
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        Command.Result run = promtool("test", "rules", DIR.resolve("alerts-test.yml").toString());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasATestWhereItFires() throws IOException {
        Set<String> alerts = new TreeSet<>();
        Map<String, Object> rules = new Yaml().load(Files.readString(DIR.resolve("alerts.yml")));
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add((String) rule.get("alert"));
                }
            }
        }
        Set<String> firing = new TreeSet<>();
        Map<String, Object> tests = new Yaml().load(Files.readString(DIR.resolve("alerts-test.yml")));
        for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
            for (Map<String, Object> check : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
                if (check.get("exp_alerts") instanceof List<?> expected && !expected.isEmpty()) {
                    firing.add((String) check.get("alertname"));
                }
            }
        }
        assertThat(alerts).as("alerts in deploy/monitoring/alerts.yml").isNotEmpty();
        assertThat(firing).as("alerts that some test in deploy/monitoring/alerts-test.yml expects to fire").containsAll(alerts);
    }

    private static Command.Result promtool(String... args) throws IOException, InterruptedException {
        String promtool = onPath("promtool");
        if (promtool == null) {
            throw new AssertionError("promtool is not on PATH, so the alert rules can't be checked: install Debian's"
                    + " package prometheus (apt-get install prometheus; with a /usr/sbin/policy-rc.d that exits 101 its"
                    + " daemon is not started), or put promtool from a Prometheus release on PATH");
        }
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(List.of(args));
        return Command.run(new ProcessBuilder(command), Duration.ofSeconds(60));
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File file = new File(dir, name);
            if (file.canExecute()) {
                return file.getPath();
            }
        }
        return null;
    }
}
