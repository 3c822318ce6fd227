package io.github.reqcount.web;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.CounterUnavailableException;
import io.github.reqcount.counter.Counts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** The HTTP contract of GET / and of every refusal, with the counter mocked. */
@WebMvcTest({RequestCountController.class, ErrorReplies.class, CountReplyTextConverter.class})
@Import(RequestCountControllerTest.Replica.class)
class RequestCountControllerTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class Replica {
        @Bean
        ReplicaIdentity replicaIdentity() {
            return new ReplicaIdentity("reqcount_counter-2", 8083);
        }
    }

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ClusterCounter counter;

    @Test
    void answersInTheOriginalTextFormat() throws Exception {
        given(counter.next()).willReturn(new Counts(7, 42));

        mvc.perform(get("/"))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Type", "text/plain;charset=UTF-8"))
                .andExpect(content().string("You are talking to instance reqcount_counter-2:8083.\n"
                        + "This is request 7 to this instance and request 42 to the cluster.\n"));
    }

    @Test
    void textStaysTheDefaultWhenAnyTypeWillDo() throws Exception {
        given(counter.next()).willReturn(new Counts(1, 1));

        mvc.perform(get("/").accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
                .andExpect(content().contentType("text/plain;charset=UTF-8"));
    }

    @Test
    void answersJsonWhenAskedFor() throws Exception {
        given(counter.next()).willReturn(new Counts(7, 42));

        mvc.perform(get("/").accept(MediaType.APPLICATION_JSON))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.instance").value("reqcount_counter-2"))
                .andExpect(jsonPath("$.port").value(8083))
                .andExpect(jsonPath("$.instanceRequests").value(7))
                .andExpect(jsonPath("$.clusterRequests").value(42));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
    void otherMethodsAreRefusedWithAllowGetAndCountNothing(String method) throws Exception {
        var result = mvc.perform(request(HttpMethod.valueOf(method), "/"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(header().string("Allow", "GET"));
        if (!method.equals("HEAD")) {
            result.andExpect(content().string("405 Method Not Allowed: " + method + " is not allowed on /; use GET.\n"));
        }
        verify(counter, never()).next();
    }

    @Test
    void unknownPathsAre404AndCountNothing() throws Exception {
        mvc.perform(get("/favicon.ico"))
                .andExpect(status().isNotFound())
                .andExpect(content().string("404 Not Found: No such path: /favicon.ico\n"));
        mvc.perform(get("/count/again"))
                .andExpect(status().isNotFound());
        verify(counter, never()).next();
    }

    @Test
    void redisUnavailableIs503WithRetryAfter() throws Exception {
        given(counter.next()).willThrow(new CounterUnavailableException("down", new IllegalStateException()));

        mvc.perform(get("/"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "1"))
                .andExpect(content().string(
                        "503 Service Unavailable: Redis is unavailable; the request was not counted. Retry shortly.\n"));
    }

    @Test
    void unacceptableTypesAre406AndCountNothing() throws Exception {
        mvc.perform(get("/").accept(MediaType.IMAGE_PNG))
                .andExpect(status().isNotAcceptable());
        verify(counter, never()).next();
    }
}
