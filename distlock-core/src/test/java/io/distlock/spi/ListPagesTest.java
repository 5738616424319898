package io.distlock.spi;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;

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
        try (LockManager locks = LockManager.builder(older(InMemoryLockBackend.create())).build();
             Lock a = locks.acquire("a");
             Lock b = locks.acquire("b")) {
            ListPage page = locks.list("", 1);
            assertThat(page.truncated()).isTrue();
            assertThat(page.locks()).extracting(LockInfo::name).containsExactly(a.name());
            assertThat(locks.list("")).extracting(LockInfo::name).containsExactly(a.name(), b.name());
        }
    }

    /**
     * A backend as every one was before {@code list(prefix, limit)}: it implements {@code list(prefix)}
     * and the abstract methods, and inherits every default.
     */
    private static LockBackend older(LockBackend delegate) {
        return (LockBackend) Proxy.newProxyInstance(LockBackend.class.getClassLoader(), new Class<?>[] {LockBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("list") && method.getParameterCount() == 1) {
                        return delegate.list((String) args[0], Integer.MAX_VALUE).locks();
                    }
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
