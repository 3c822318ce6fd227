package io.github.reqcount.web;

/** The JSON form of a counted request's reply. */
public record CountReply(String instance, int port, long instanceRequests, long clusterRequests) {
}
