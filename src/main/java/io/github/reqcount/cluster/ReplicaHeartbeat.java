package io.github.reqcount.cluster;

import io.github.reqcount.redis.RedisKeys;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Tells the cluster this replica is alive: three times per TTL it sets a key that expires after the TTL, and
 * records when it was last seen. A replica whose key has expired is shown as gone.
 */
public class ReplicaHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(ReplicaHeartbeat.class);

    private final StringRedisTemplate redis;
    private final String replica;
    private final Duration ttl;

    public ReplicaHeartbeat(StringRedisTemplate redis, String replica, Duration ttl) {
        this.redis = redis;
        this.replica = replica;
        this.ttl = ttl;
    }

    public Duration interval() {
        return ttl.dividedBy(3);
    }

    public void beat() {
        String now = Long.toString(System.currentTimeMillis());
        try {
            // Plain commands, on the connection that every plain command shares: a pipeline would borrow one of the
            // pool's connections, which are the group commit's, and a slow Redis would then refuse requests.
            redis.opsForValue().set(RedisKeys.alive(replica), now, ttl);
            redis.opsForHash().put(RedisKeys.REPLICA_SEEN, replica, now);
        } catch (DataAccessException e) {
            // The counter logs Redis outages once; a missed beat only makes this replica look gone for a while.
            log.atDebug().addKeyValue("event.action", "replica.heartbeat.failed").addKeyValue("error", e.toString())
                    .log("Heartbeat not recorded: {}", e.toString());
        }
    }
}
