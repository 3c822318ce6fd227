package io.github.reqcount.web;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A counted request's reply. The JSON field names are the public contract. */
public record CountReply(String instance, int port, @JsonProperty("instanceRequests") long local,
        @JsonProperty("clusterRequests") long cluster) {
}
