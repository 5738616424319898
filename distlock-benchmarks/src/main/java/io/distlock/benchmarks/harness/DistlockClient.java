package io.distlock.benchmarks.harness;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;

import java.time.Duration;

/** distlock through a {@link LockManager} of its own on one backend, as an application uses it. */
public final class DistlockClient implements LockClient {
    /** A 30 s lease (as every implementation gets), waiting forever, the default 50 ms retry interval. */
    public static final LockOptions DEFAULTS = LockOptions.builder().lease(Duration.ofSeconds(30)).waitForever().build();

    private final LockManager manager;
    private final LockOptions options;

    public DistlockClient(LockBackend backend, LockOptions options) {
        this.manager = LockManager.builder(backend).build();
        this.options = options;
    }

    public DistlockClient(LockBackend backend) {
        this(backend, DEFAULTS);
    }

    @Override
    public Held acquire(String name) {
        Lock lock = manager.acquire(name, options);
        return lock::release;
    }

    @Override
    public void close() {
        manager.close();
    }
}
