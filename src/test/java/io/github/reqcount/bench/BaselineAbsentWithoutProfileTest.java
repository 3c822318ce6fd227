package io.github.reqcount.bench;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

/** A real replica runs without the bench profile, and there /baseline does not exist. */
@WebMvcTest(BaselineController.class)
class BaselineAbsentWithoutProfileTest {

    @Autowired
    MockMvc mvc;

    @Test
    void baselineIs404WithoutTheBenchProfile() throws Exception {
        mvc.perform(get("/baseline")).andExpect(status().isNotFound());
    }
}
