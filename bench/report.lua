-- wrk calls done() once at the end: print one line the benchmark parses.
-- ok = responses with a status below 400 (wrk counts 4xx and 5xx as errors.status).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d ok=%d non2xx=%d sockerr=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.requests - e.status, e.status,
    e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
