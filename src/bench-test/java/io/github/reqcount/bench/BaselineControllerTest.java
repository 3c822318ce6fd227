package io.github.reqcount.bench;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.github.reqcount.ReplicaIdentity;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Under the bench profile, /baseline answers in GET /'s text format, so the two measure the same reply.
 * Runs under ./mvnw -Pbench test, the only build that compiles BaselineController.
 */
@WebMvcTest(BaselineController.class)
@Import(BaselineControllerTest.Replica.class)
@ActiveProfiles("bench")
class BaselineControllerTest {

    static class Replica {
        @Bean
        ReplicaIdentity replicaIdentity() {
            return new ReplicaIdentity("bench-host", 8083);
        }
    }

    @Autowired
    MockMvc mvc;

    @Test
    void answersLikeGetSlashWithoutRedis() throws Exception {
        mvc.perform(get("/baseline"))
                .andExpect(status().isOk())
                .andExpect(content().string("You are talking to instance bench-host:8083.\n"
                        + "This is request 1 to this instance and request 0 to the cluster.\n"));
    }
}
