package io.github.reqcount.bench;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.config.ServiceProperties;
import io.github.reqcount.counter.CounterUnavailableException;
import io.github.reqcount.redis.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Profile;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Group commit with no thread waiting: requests queue futures, one transaction at a time goes out on a connection
 * of its own through Lettuce's asynchronous API (MULTI, INCRBY, HINCRBY, EXEC in one write), and its reply, on the
 * event loop, numbers the batch and sends the next. Same numbering as ClusterCounter; bench profile only.
 */
@Component
@Profile("bench")
class AsyncGroupCommit implements DisposableBean {

    private final StatefulRedisConnection<String, String> connection;
    private final String replica;
    private final int maxBatch;
    private final Object lock = new Object();
    private final ArrayDeque<CompletableFuture<Long>> queue = new ArrayDeque<>();
    private boolean inFlight;

    /** A connection of its own from the client that serves GET / (the same Redis, user and socket options). */
    AsyncGroupCommit(LettuceConnectionFactory factory, ServiceProperties props, ReplicaIdentity replica) {
        this.connection = ((RedisClient) factory.getRequiredNativeClient()).connect();
        // Only one sender at a time (inFlight), so the four commands can leave in one flush.
        this.connection.setAutoFlushCommands(false);
        this.replica = replica.name();
        this.maxBatch = props.batchMaxSize();    // as GET /'s group commit
    }

    CompletableFuture<Long> next() {
        var number = new CompletableFuture<Long>();
        List<CompletableFuture<Long>> batch = null;
        synchronized (lock) {
            queue.add(number);
            if (!inFlight) {
                inFlight = true;
                batch = take();
            }
        }
        if (batch != null) {
            send(batch);
        }
        return number;
    }

    private List<CompletableFuture<Long>> take() {
        var batch = new ArrayList<CompletableFuture<Long>>(Math.min(queue.size(), maxBatch));
        while (!queue.isEmpty() && batch.size() < maxBatch) {
            batch.add(queue.poll());
        }
        return batch;
    }

    private void send(List<CompletableFuture<Long>> batch) {
        RedisAsyncCommands<String, String> redis = connection.async();
        int n = batch.size();
        redis.multi();
        redis.incrby(RedisKeys.TOTAL, n);
        redis.hincrby(RedisKeys.REPLICA_COUNTS, replica, n);
        var exec = redis.exec();
        connection.flushCommands();
        exec.whenComplete((tx, failure) -> {
            if (failure == null && !tx.wasDiscarded() && tx.get(0) instanceof Long last) {
                for (int i = 0; i < n; i++) {
                    batch.get(i).complete(last - n + 1 + i);
                }
            } else {
                var refusal = new CounterUnavailableException("Redis did not confirm the increment", failure);
                batch.forEach(f -> f.completeExceptionally(refusal));
            }
            List<CompletableFuture<Long>> next = null;
            synchronized (lock) {
                if (queue.isEmpty()) {
                    inFlight = false;
                } else {
                    next = take();
                }
            }
            if (next != null) {
                send(next);
            }
        });
    }

    @Override
    public void destroy() {
        connection.close();
    }
}
