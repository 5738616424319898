package io.distlock;

import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockManagerApiTest {
    private final LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();

    @AfterEach
    void close() {
        locks.close();
    }

    @Test
    void runAndCallHoldTheLockOnlyWhileTheActionRuns() {
        List<Boolean> heldInside = new ArrayList<>();
        locks.run("job", () -> heldInside.add(locks.inspect("job").isPresent()));
        String result = locks.call("job", () -> locks.inspect("job").map(LockInfo::name).orElse("free"));
        assertThat(heldInside).containsExactly(true);
        assertThat(result).isEqualTo("job");
        assertThat(locks.inspect("job")).isEmpty();
    }

    @Test
    void runReleasesWhenTheActionThrows() {
        assertThatThrownBy(() -> locks.run("job", () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(locks.inspect("job")).isEmpty();
    }

    @Test
    void lockedFunctionComputesItsLockNameFromTheArgument() {
        List<String> seen = new ArrayList<>();
        Function<Integer, Integer> doubled = locks.locked(n -> "customer:" + n, n -> {
            seen.add(locks.inspect("customer:" + n).map(LockInfo::name).orElse("not locked"));
            return n * 2;
        });
        assertThat(doubled.apply(21)).isEqualTo(42);
        assertThat(seen).containsExactly("customer:21");
        assertThat(locks.list("customer:")).isEmpty();
    }

    @Test
    void lockedFunctionWaitsForABusyName() {
        Lock busy = locks.acquire("customer:7");
        Function<Integer, Integer> locked = locks.locked(n -> "customer:" + n,
                LockOptions.tryOnce(), n -> n);
        assertThatThrownBy(() -> locked.apply(7)).isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("customer:7");
        assertThat(locked.apply(8)).isEqualTo(8);
        busy.release();
        assertThat(locked.apply(7)).isEqualTo(7);
    }

    @Test
    void aThrowingListenerNeverBreaksLocking() {
        AtomicInteger calls = new AtomicInteger();
        LockListener throwing = new LockListener() {
            @Override
            public void acquired(Lock lock, Duration waited) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void released(String name, long token, boolean wasHeld) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        };
        try (LockManager observed = LockManager.builder(InMemoryLockBackend.create()).listener(throwing).build()) {
            Lock lock = observed.acquire("x");
            assertThat(lock.isHeld()).isTrue();
            assertThat(lock.release()).isTrue();
            assertThat(observed.inspect("x")).isEmpty();
        }
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void listenerSeesAcquireTimeoutAndRelease() {
        List<String> events = new ArrayList<>();
        LockListener recording = new LockListener() {
            @Override
            public void acquired(Lock lock, Duration waited) {
                events.add("acquired " + lock.name());
            }

            @Override
            public void timedOut(String name, Duration waited) {
                events.add("timedOut " + name);
            }

            @Override
            public void released(String name, long token, boolean wasHeld) {
                events.add("released " + name + " " + wasHeld);
            }
        };
        try (LockManager observed = LockManager.builder(InMemoryLockBackend.create()).listener(recording).build()) {
            Lock lock = observed.acquire("x");
            assertThatThrownBy(() -> observed.acquire("x", LockOptions.builder().timeout(Duration.ofMillis(20)).build()))
                    .isInstanceOf(LockTimeoutException.class);
            lock.release();
        }
        assertThat(events).containsExactly("acquired x", "timedOut x", "released x true");
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> LockManager.builder(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backend");
        LockManager.Builder builder = LockManager.builder(InMemoryLockBackend.create());
        assertThatThrownBy(() -> builder.defaultLease(Duration.ofMillis(-3))).hasMessageContaining("PT-0.003S");
        assertThatThrownBy(() -> builder.defaultRetryInterval(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> builder.defaultTimeout(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defaultTimeout");
    }

    @Test
    void backendsOpenByUriAndUnknownSchemesAreNamed() {
        try (LockManager fromUri = LockManager.builder(LockBackends.open("memory:")).build()) {
            assertThat(fromUri.describe()).isEqualTo("memory:");
        }
        assertThatThrownBy(() -> LockBackends.open("nosuch://u:secret@h:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch").hasMessageContaining("memory")
                .hasMessageNotContaining("secret").hasMessageContaining("u:***@h");
        assertThatThrownBy(() -> LockBackends.open("no scheme here")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no scheme here");
        assertThatThrownBy(() -> LockBackends.open(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultNameIsTheCallingClass() {
        try (Lock lock = locks.acquire()) {
            assertThat(lock.name()).isEqualTo(LockManagerApiTest.class.getName());
        }
    }

    @Test
    void leaseExpiryIsJudgedByTheInjectedTicker() {
        long[] now = {0};
        Ticker ticker = () -> now[0];
        try (LockManager driven = LockManager.builder(InMemoryLockBackend.create(ticker)).ticker(ticker).build()) {
            Lock first = driven.acquire("t", LockOptions.builder().lease(Duration.ofSeconds(5)).build());
            assertThat(driven.tryAcquire("t")).isEmpty();
            now[0] += Duration.ofSeconds(5).toNanos();
            assertThat(first.isHeld()).isFalse();
            Lock second = driven.tryAcquire("t").orElseThrow();
            assertThat(second.token()).isGreaterThan(first.token());
            assertThat(first.release()).isFalse();
            assertThat(second.isHeld()).isTrue();
        }
    }

    @Test
    void aNameWithAnUnpairedSurrogateIsRefusedNamingItsIndex_soNoBackendMapsTwoNamesToOneKey() {
        try (Lock question = locks.acquire("?", LockOptions.tryOnce())) {
            for (String lone : List.of("\uD800", "\uDC00")) {
                assertThatThrownBy(() -> locks.tryAcquire(lone)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("index 0").hasMessageNotContaining(lone);
            }
            assertThatThrownBy(() -> locks.inspect("ab\uDC00")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("index 2");
            assertThatThrownBy(() -> locks.forceRelease("a\uD83D")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("index 1");
            assertThatThrownBy(() -> locks.acquire("\uDE00\uD83D", LockOptions.tryOnce()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0");
            assertThat(question.isHeld()).isTrue();
        }
        try (Lock pair = locks.acquire("lock-\uD83D\uDD12", LockOptions.tryOnce())) {
            assertThat(locks.inspect("lock-\uD83D\uDD12")).map(LockInfo::name).contains("lock-\uD83D\uDD12");
            assertThat(pair.isHeld()).isTrue();
        }
    }
}
