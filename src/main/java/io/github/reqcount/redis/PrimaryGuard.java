package io.github.reqcount.redis;

/**
 * Which Redis the counter may count on. With Sentinel it is the primary that a majority of the Sentinels name, and
 * none at all while a failover may be under way; with one Redis, whichever Redis answers.
 */
public interface PrimaryGuard {

    /** The primary to count on now; throws {@link NoPrimaryException} when there is none to trust. */
    Primary current();

    /** Whether {@code primary} is still the one to count on: no failover began and no other was named since. */
    boolean unchanged(Primary primary);

    /** A connection led to another Redis than {@link #current()}'s: make sure which one the primary is. */
    default void recheck() {
    }

    /**
     * The primary the counter may use. {@code generation} moves at every failover event and at every new primary;
     * {@code runId} is the primary's run_id (INFO server), or null where any Redis will do.
     */
    record Primary(long generation, String runId) {
    }

    /** One Redis, no Sentinel: there is no failover to fence off. */
    PrimaryGuard ANY = new PrimaryGuard() {
        private final Primary any = new Primary(0, null);

        @Override
        public Primary current() {
            return any;
        }

        @Override
        public boolean unchanged(Primary primary) {
            return true;
        }
    };

    /** No primary can be trusted now; the message says why. */
    class NoPrimaryException extends RuntimeException {
        public NoPrimaryException(String message) {
            super(message);
        }
    }
}
