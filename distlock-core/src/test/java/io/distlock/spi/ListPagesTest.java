package io.distlock.spi;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListPagesTest {

    private static LockInfo lock(String name) {
        return new LockInfo(name, "owner-" + name, "host", 1, "main", Instant.EPOCH, Instant.EPOCH, 1);
    }

    @Test
    void aPageIsSortedWithoutRepeatsAndCutAtTheLimit() {
        List<LockInfo> found = List.of(lock("c"), lock("a"), lock("b"), lock("a"));
        assertThat(ListPages.of(found, 2)).isEqualTo(new ListPage(List.of(lock("a"), lock("b")), true));
        assertThat(ListPages.of(found, 3)).isEqualTo(new ListPage(List.of(lock("a"), lock("b"), lock("c")), false));
        assertThat(ListPages.of(List.of(), Integer.MAX_VALUE)).isEqualTo(new ListPage(List.of(), false));
    }

    @Test
    void aBackendCollectsOneMoreThanTheLimitWithoutOverflow() {
        assertThat(ListPages.wanted(1)).isEqualTo(2);
        assertThat(ListPages.wanted(Integer.MAX_VALUE - 1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(ListPages.wanted(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> ListPages.wanted(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit").hasMessageContaining("0");
        assertThatThrownBy(() -> ListPages.of(List.of(), -3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-3");
    }

    @Test
    void aBackendWrittenForTheOlderListStillLists() {
        try (LockManager locks = LockManager.builder(new OlderBackend(InMemoryLockBackend.create())).build();
             Lock a = locks.acquire("a");
             Lock b = locks.acquire("b")) {
            ListPage page = locks.list("", 1);
            assertThat(page.truncated()).isTrue();
            assertThat(page.locks()).extracting(LockInfo::name).containsExactly(a.name());
            assertThat(locks.list("")).extracting(LockInfo::name).containsExactly(a.name(), b.name());
        }
    }

    /** Implements {@code list(prefix)} only, as every backend did before {@code list(prefix, limit)}. */
    private record OlderBackend(InMemoryLockBackend delegate) implements LockBackend {
        @Override
        public List<LockInfo> list(String prefix) {
            return delegate.list(prefix, Integer.MAX_VALUE).locks();
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            return delegate.tryAcquire(request);
        }

        @Override
        public boolean release(String name, String ownerId) {
            return delegate.release(name, ownerId);
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            return delegate.extend(name, ownerId, lease);
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return delegate.inspect(name);
        }

        @Override
        public boolean forceRelease(String name) {
            return delegate.forceRelease(name);
        }

        @Override
        public String describe() {
            return "older:";
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
