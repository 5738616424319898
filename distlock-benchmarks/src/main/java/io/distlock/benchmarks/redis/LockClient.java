package io.distlock.benchmarks.redis;

/** One client of the lock service: its own connections, as one process would have. */
interface LockClient extends AutoCloseable {

    /** Blocks until the lock is held. */
    Held acquire(String name);

    @Override
    void close();

    interface Held {
        void release();
    }
}
