package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockListener;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.Ticker;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.ForwardingLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a holder hears that its lock was taken away (issue 23: after {@code release --force} the old
 * holder was told its lock "had expired or could not be released; it ends with its lease", when it
 * had been force-released and was gone). A release or renewal that the backend answers with "not
 * yours" is a loss, reported to the lost-lock listener with what the holder can tell: time left on
 * its conservative lease means the lock did not expire, so it was taken away; none left means it
 * expired. A release that gets no answer is not a loss.
 */
class LossReportTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final InMemoryLockBackend store = InMemoryLockBackend.create(ticker);
    private final List<LockManager> managers = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Throwable> lostCauses = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(LockManager::close);
    }

    private LockManager manager(io.distlock.spi.LockBackend backend) {
        LockManager manager = LockManager.builder(backend).ticker(ticker).listener(new LockListener() {
            @Override
            public void released(String name, long token, boolean wasHeld) {
                events.add("released " + name + " " + wasHeld);
            }

            @Override
            public void lost(String name, long token, Throwable cause) {
                events.add("lost " + name);
            }
        }).build();
        managers.add(manager);
        return manager;
    }

    private LockOptions options(Duration lease) {
        return LockOptions.builder().lease(lease).onLost((lock, cause) -> lostCauses.add(cause)).build();
    }

    @Test
    void aReleaseThatFindsTheLockForceReleasedReportsALossSayingItDidNotExpire() {
        LockManager locks = manager(new Shared(store));
        Lock lock = locks.acquire("job", options(Duration.ofSeconds(30)));
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(manager(new Shared(store)).forceRelease("job")).isTrue();

        assertThat(lock.release()).as("not this owner's any more").isFalse();

        assertThat(events).containsExactly("lost job", "released job false");
        assertThat(lostCauses).singleElement().isInstanceOf(LockLostException.class).extracting(Throwable::getMessage)
                .asString().contains("'job'", "token " + lock.token(), "did not expire", "force-released",
                        "24.698 s left")
                .doesNotContain("had run out");
    }

    @Test
    void aReleaseAfterTheLeaseRanOutReportsALossSayingItExpired() {
        LockManager locks = manager(new Shared(store));
        Lock lock = locks.acquire("job", options(Duration.ofSeconds(1)));
        now.addAndGet(Duration.ofSeconds(3).toNanos());

        assertThat(lock.release()).isFalse();

        assertThat(events).containsExactly("lost job", "released job false");
        assertThat(lostCauses).singleElement().extracting(Throwable::getMessage).asString()
                .contains("lease of 1s had run out", "it expired").doesNotContain("did not expire");
    }

    @Test
    void aRenewalRefusedAfterAForceReleaseSaysSo() {
        LockManager locks = manager(new Shared(store));
        Lock lock = locks.acquire("job", options(Duration.ofSeconds(30)));
        manager(new Shared(store)).forceRelease("job");

        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(30))).isInstanceOf(LockLostException.class)
                .hasMessageContaining("could not be extended").hasMessageContaining("force-released")
                .hasMessageContaining("did not expire");
        assertThat(lostCauses).as("told once").hasSize(1);
        assertThat(lock.release()).isFalse();
        assertThat(lostCauses).as("not again at release").hasSize(1);
    }

    @Test
    void aReleaseWithoutAnAnswerIsNoLoss_andAnOrdinaryReleaseNeither() {
        ForwardingLockBackend failing = new Shared(store) {
            @Override
            public boolean release(String name, String ownerId) {
                throw new LockBackendException("no answer");
            }
        };
        Lock unanswered = manager(failing).acquire("job", options(Duration.ofSeconds(30)));
        assertThat(unanswered.release()).isFalse();

        Lock ordinary = manager(new Shared(store)).acquire("other", options(Duration.ofSeconds(30)));
        assertThat(ordinary.release()).isTrue();

        assertThat(lostCauses).isEmpty();
        assertThat(events).containsExactly("released job false", "released other true");
    }

    /** The store outlives each manager: closing one must not close it. */
    private static class Shared extends ForwardingLockBackend {
        Shared(io.distlock.spi.LockBackend store) {
            super(store);
        }

        @Override
        public void close() {
        }
    }
}
