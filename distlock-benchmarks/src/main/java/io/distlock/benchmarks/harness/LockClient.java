package io.distlock.benchmarks.harness;

/** One client of a lock service: its own connections, as one process would have. */
public interface LockClient extends AutoCloseable {

    /** Blocks until the lock is held. */
    Held acquire(String name) throws Exception;

    @Override
    void close() throws Exception;

    interface Held {
        void release() throws Exception;
    }
}
