package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import org.junit.jupiter.api.Test;

/**
 * The benchmark's GET /baseline lives in src/bench/java, which only the bench Maven profile compiles: the default
 * build, and so the jar every replica runs, has no bench class at all. The bench profile leaves this test out.
 */
class NoBenchCodeTest {

    @Test
    void baselineControllerIsNotOnTheDefaultClasspath() {
        assertThatExceptionOfType(ClassNotFoundException.class)
                .isThrownBy(() -> Class.forName("io.github.reqcount.bench.BaselineController"));
    }

    @Test
    void noBenchPackageIsOnTheDefaultClasspath() {
        assertThat(getClass().getClassLoader().getResource("io/github/reqcount/bench")).isNull();
    }
}
