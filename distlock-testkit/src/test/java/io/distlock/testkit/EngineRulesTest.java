package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockException;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.Locked;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.distlock.testkit.ContractFixture.catchTimeout;
import static io.distlock.testkit.ContractFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract rules whose outcome only the engine decides: default values, the calling class's
 * name, option checks made before any backend is asked, reentrant holds (the backend sees one
 * acquisition), the exception types, the jitter, the renewal schedule and the log lines. A backend
 * cannot change them, so they run once, here, on the in-memory backend, and not once per backend
 * and topology in {@link LockContractSuite}. Display names cite the rules of docs/lock-contract.md.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineRulesTest extends ContractFixture {
    private InMemoryLockBackend store;

    @BeforeEach
    void newStore() {
        store = InMemoryLockBackend.create();
    }

    @Override
    protected LockBackend newBackend() {
        return new SharedStore(store);
    }

    // ================================================================== 2. Acquiring
    @Test
    @DisplayName("2.1 default lease is 20 s")
    void rule_2_1_defaultLease() {
        String name = uniqueName("lease");
        LockManager defaults = newManager();
        try (Lock lock = defaults.acquire(name)) {
            LockInfo info = defaults.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(19), Duration.ofSeconds(21));
            assertThat(lock.expiresAt()).isBetween(Instant.now().plusSeconds(18), Instant.now().plusSeconds(21));
        }
    }

    @Test
    @DisplayName("2.1 default wait is 10 s, settable per manager and per call")
    void rule_2_1_defaultWait() {
        String name = uniqueName("wait");
        Lock held = newManager().acquire(name);
        // A ticker that runs a second per read makes a 10 s wait pass in a few polls, exactly.
        ManualTicker fast = new ManualTicker();
        LockManager waiter = newManager(b -> b.ticker(() -> {
            fast.advance(Duration.ofSeconds(1));
            return fast.read();
        }).defaultRetryInterval(Duration.ofMillis(1)));
        LockTimeoutException byDefault = catchTimeout(() -> waiter.acquire(name));
        assertThat(byDefault.waited()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(13));

        LockTimeoutException perCall = catchTimeout(() -> waiter.acquire(name,
                LockOptions.builder().timeout(Duration.ofSeconds(30)).build()));
        assertThat(perCall.waited()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(33));

        LockManager fiveSeconds = newManager(b -> b.ticker(() -> {
            fast.advance(Duration.ofSeconds(1));
            return fast.read();
        }).defaultRetryInterval(Duration.ofMillis(1)).defaultTimeout(Duration.ofSeconds(5)));
        LockTimeoutException perManager = catchTimeout(() -> fiveSeconds.acquire(name));
        assertThat(perManager.waited()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(8));
        held.release();
    }

    @Test
    @DisplayName("2.1 retry pauses are jittered: between a half and one and a half intervals, not all equal")
    void rule_2_1_retryPausesJittered() {
        String name = uniqueName("jitter");
        Lock held = newManager().acquire(name);
        List<Long> answered = new CopyOnWriteArrayList<>();
        LockBackend timed = new ForwardingLockBackend(newBackend()) {
            @Override
            public AcquireResult tryAcquire(AcquireRequest request) {
                AcquireResult result = delegate.tryAcquire(request);
                answered.add(System.nanoTime());
                return result;
            }
        };
        LockManager waiter = manage(timed, b -> { });
        long interval = Duration.ofMillis(100).toNanos();
        catchTimeout(() -> waiter.acquire(name, LockOptions.builder().timeout(Duration.ofSeconds(4))
                .retryInterval(Duration.ofNanos(interval)).build()));
        List<Long> pauses = new ArrayList<>();
        // The last pause is cut short by the deadline, so it says nothing about the jitter.
        for (int i = 1; i < answered.size() - 1; i++) {
            pauses.add(answered.get(i) - answered.get(i - 1));
        }
        assertThat(pauses).as("pauses between tries").hasSizeGreaterThan(10);
        long shortest = Collections.min(pauses);
        long longest = Collections.max(pauses);
        // A pause never ends early, so one shorter than the interval can only be jitter. A loaded
        // machine only lengthens pauses: with about 38 of them, drawn from 50 to 150 ms, all
        // would have to be delayed past 100 ms for this to fail.
        assertThat(shortest).as("shortest pause, ns").isGreaterThanOrEqualTo(interval / 2)
                .isLessThan(interval);
        assertThat(longest).as("longest pause, ns").isGreaterThan(interval * 11 / 10);
        held.release();
    }

    @Test
    @DisplayName("2.3 a call without a name locks the calling class's name")
    void rule_2_3_defaultName() {
        LockManager locks = newManager();
        try (Lock lock = locks.acquire()) {
            assertThat(lock.name()).isEqualTo(EngineRulesTest.class.getName());
            assertThat(locks.inspect(EngineRulesTest.class.getName())).isPresent();
        }
    }

    @Test
    @DisplayName("2.3 a @Locked method without a name locks ClassName.methodName")
    void rule_2_3_annotationName() {
        LockManager locks = newManager();
        LockManager observer = newManager();
        AnnotatedJob job = locks.proxy(AnnotatedJob.class, new NightlyJob(observer));
        assertThat(job.run()).as("held while the method runs").isPresent();
        assertThat(observer.inspect(NightlyJob.class.getName() + ".run")).isEmpty();
    }

    /** For rule 2.3: an interface whose method carries {@code @Locked} without a name. */
    public interface AnnotatedJob {
        @Locked
        Optional<LockInfo> run();
    }

    /** Its implementation: the lock's name is this class's name plus ".run". */
    public static final class NightlyJob implements AnnotatedJob {
        private final LockManager observer;

        NightlyJob(LockManager observer) {
            this.observer = observer;
        }

        @Override
        public Optional<LockInfo> run() {
            return observer.inspect(NightlyJob.class.getName() + ".run");
        }
    }

    // ================================================================== 3. Holding
    @Test
    @DisplayName("3.5 auto-renewal renews at a third of the lease, not later")
    void rule_3_5_renewsAtAThirdOfTheLease() {
        String name = uniqueName("renew-third");
        List<Long> extendCalls = new CopyOnWriteArrayList<>();
        LockBackend timed = new ForwardingLockBackend(newBackend()) {
            @Override
            public boolean extend(String lockName, String ownerId, Duration lease) {
                extendCalls.add(System.nanoTime());
                return delegate.extend(lockName, ownerId, lease);
            }
        };
        LockManager locks = manage(timed, b -> { });
        Duration lease = Duration.ofMillis(1500);
        Lock lock = locks.acquire(name, LockOptions.builder().lease(lease).autoRenew(true).build());
        Eventually.until("six renewals", PATIENCE, () -> extendCalls.size() >= 6);
        long shortest = Long.MAX_VALUE;
        for (int i = 1; i < 6; i++) {
            shortest = Math.min(shortest, extendCalls.get(i) - extendCalls.get(i - 1));
        }
        // Each renewal is scheduled a third of the lease after the previous one returned, and a
        // scheduler is never early, only late: the shortest of five gaps is the schedule plus the
        // least delay. Renewing at half the lease would make every gap at least 750 ms.
        assertThat(Duration.ofNanos(shortest)).as("shortest gap between renewals")
                .isGreaterThanOrEqualTo(lease.dividedBy(3).minusMillis(1))
                .isLessThan(lease.dividedBy(2).minusMillis(10));
        assertThat(lock.isHeld()).isTrue();
        lock.release();
    }

    @Test
    @DisplayName("3.6 reentrant mode: the same thread re-acquires; released with the last hold")
    void rule_3_6_reentrant() throws Exception {
        String name = uniqueName("reentrant");
        LockManager locks = newManager();
        LockManager observer = newManager();
        LockOptions reentrant = LockOptions.builder().reentrant(true).tryOnce().build();
        Lock outer = locks.acquire(name, reentrant);
        Lock inner = locks.acquire(name, reentrant);
        assertThat(inner.token()).isEqualTo(outer.token());
        // Another thread does not share the hold.
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThat(pool.submit(() -> locks.tryAcquire(name, reentrant)).get()).isEmpty();
        } finally {
            stop(pool);
        }
        assertThat(inner.release()).isTrue();
        assertThat(observer.inspect(name)).as("still held by the outer hold").isPresent();
        assertThat(outer.isHeld()).isTrue();
        assertThat(outer.release()).isTrue();
        assertThat(observer.inspect(name)).as("released with the last hold").isEmpty();
    }

    // ================================================================== 4. Releasing
    @Test
    @DisplayName("4.2 releasing a lock lost behind its holder's back, or already known lost, logs a warning")
    void rule_4_2_lostReleaseLogsAWarning() {
        String name = uniqueName("lost-warning");
        LockManager locks = newManager();
        LockManager admin = newManager();

        Lock takenOver = locks.acquire(name);
        admin.forceRelease(name);
        Lock other = admin.acquire(name);
        String log = Stderr.of(() -> assertThat(takenOver.release()).isFalse());
        assertThat(log).contains("WARN").contains("'" + name + "'").contains("token " + takenOver.token())
                .contains("force-released");
        other.release();

        Lock knownLost = locks.acquire(name);
        admin.forceRelease(name);
        assertThatThrownBy(() -> knownLost.extend(Duration.ofSeconds(5))).isInstanceOf(LockLostException.class);
        log = Stderr.of(() -> assertThat(knownLost.release()).isFalse());
        assertThat(log).contains("WARN").contains("'" + name + "'").contains("token " + knownLost.token())
                .contains("already lost");

        Lock released = locks.acquire(name);
        assertThat(Stderr.of(() -> assertThat(released.release()).isTrue())).as("an ordinary release").isEmpty();
    }

    // ================================================================== 6. Bad input and faults
    @Test
    @DisplayName("6.2 null, empty and oversized names, and senseless options, are rejected naming the value")
    void rule_6_2_badInput() {
        LockManager locks = newManager();
        assertThatThrownBy(() -> locks.acquire((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> locks.acquire("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        String tooLong = "y".repeat(1025);
        assertThatThrownBy(() -> locks.acquire(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1025");
        assertThatThrownBy(() -> locks.tryAcquire("é".repeat(513))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1026");
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> LockOptions.builder().retryInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> LockOptions.builder().onConflict(IllegalStateException::new)
                .timeout(Duration.ofSeconds(3)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT3S");
        assertThatThrownBy(() -> LockManager.builder(newBackend()).defaultLease(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> locks.acquire("x", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("options");
        assertThatThrownBy(() -> locks.list(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> locks.forceRelease("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("6.5 every exception distlock throws on purpose extends LockException")
    void rule_6_5_hierarchy() {
        assertThat(List.of(LockTimeoutException.class, LockLostException.class, LockBackendException.class,
                LockInterruptedException.class)).allMatch(LockException.class::isAssignableFrom);
        assertThat(RuntimeException.class).isAssignableFrom(LockException.class);
    }
}
