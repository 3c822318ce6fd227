package io.github.reqcount.cluster;

import io.github.reqcount.redis.RedisKeys;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Folds a gone replica's count into the one retired count: INCRBY retired_count by its field, HDEL its fields from
 * replica_counts and replica_seen, all in one Lua script, so Redis runs the check and the fold with nothing in
 * between. Any number of replicas may fold at once: whoever runs first moves the count, the others find the field
 * gone and move nothing, and the replicas' counts plus retired stay equal to what they were.
 *
 * <p>A script rather than WATCH/MULTI/EXEC: WATCH works per key, and every replica's transaction moves the one
 * replica_counts hash, so under steady traffic almost every watched fold would be aborted and retried.
 *
 * <p>A replica is gone when its replica_alive key has expired and it last beat before the cutoff. One that comes
 * back under a retired name starts a new entry; if it counted before its first beat the fold takes those requests
 * into retired with the rest, and the sums still hold.
 */
public class ReplicaRetirement {

    /** KEYS: replica_counts, replica_seen, retired_count, replica_alive:name. ARGV: name, cutoff (epoch millis). */
    private static final RedisScript<Long> FOLD = RedisScript.of("""
            if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
            local seen = redis.call('HGET', KEYS[2], ARGV[1])
            if not seen or tonumber(seen) >= tonumber(ARGV[2]) then return -1 end
            local requests = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
            redis.call('INCRBY', KEYS[3], requests)
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            return requests
            """, Long.class);

    private final StringRedisTemplate redis;

    public ReplicaRetirement(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /**
     * Folds the replica if it is still gone and last beat before cutoffMillis. Returns the requests it moved
     * into retired, or -1 when it did not fold it (the replica is back, or another replica folded it first).
     */
    public long retire(String replica, long cutoffMillis) {
        Long moved = redis.execute(FOLD, List.of(RedisKeys.REPLICA_COUNTS, RedisKeys.REPLICA_SEEN, RedisKeys.RETIRED,
                RedisKeys.alive(replica)), replica, Long.toString(cutoffMillis));
        return moved == null ? -1 : moved;
    }
}
