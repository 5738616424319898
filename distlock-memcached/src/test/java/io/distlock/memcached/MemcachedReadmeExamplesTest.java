package io.distlock.memcached;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.MemcachedServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The examples of distlock-memcached/README.md, compiled and run against a private memcached, so
 * that the README cannot drift from the code: unimr.memcachedlock's {@code lock(get_key)},
 * {@code rlock} and {@code zlock}, each beside its distlock form. Keep them in step with the README.
 */
class MemcachedReadmeExamplesTest {
    private static ServerProcess memcached;
    private final List<String> done = new ArrayList<>();

    @BeforeAll
    static void start() {
        memcached = MemcachedServers.start();
    }

    @AfterAll
    static void stop() {
        if (memcached != null) {
            memcached.close();
        }
    }

    record Document(String path) {
    }

    record Folder(String path, List<Folder> children) {
    }

    /** What a Zope application raised to have the transaction retried. */
    static final class ConflictError extends RuntimeException {
        ConflictError(String lockName) {
            super("conflict on " + lockName + ": retry the transaction");
        }
    }

    private Function<Folder, Integer> countFolders;

    private int countWithChildren(Folder folder) {
        return 1 + folder.children().stream().mapToInt(countFolders::apply).sum();
    }

    private String reindex(Document document) {
        done.add("reindexed " + document.path());
        return document.path();
    }

    private LockManager managerLikeTheSeed() {
        String uri = "memcached://" + memcached.host() + ":" + memcached.port();
        // --- README: setup
        LockManager locks = LockManager.builder(MemcachedLockBackend.open(uri))
                .defaultLease(Duration.ofSeconds(30))         // the seed's timeout=30
                .defaultRetryInterval(Duration.ofMillis(50))  // the seed's intervall=0.05
                .build();
        // --- end
        return locks;
    }

    @Test
    void lockWithGetKey() {
        try (LockManager locks = managerLikeTheSeed()) {
            // --- README: lock(get_key)
            Function<Document, String> reindex =
                    locks.locked(document -> "catalog.reindex:" + document.path(), this::reindex);
            reindex.apply(new Document("/site/news"));
            // --- end
            assertThat(done).containsExactly("reindexed /site/news");
            assertThat(locks.inspect("catalog.reindex:/site/news")).as("released after the call").isEmpty();
        }
    }

    @Test
    void rlockIsReentrant() {
        try (LockManager locks = managerLikeTheSeed()) {
            Folder leaf = new Folder("/site/a/b", List.of());
            Folder root = new Folder("/site", List.of(new Folder("/site/a", List.of(leaf))));
            // --- README: rlock
            LockOptions reentrant = LockOptions.builder().reentrant(true).build();
            countFolders = locks.locked(folder -> "folders", reentrant, this::countWithChildren);
            int folders = countFolders.apply(root); // takes "folders" once, re-enters it for every child
            // --- end
            assertThat(folders).isEqualTo(3);
            assertThat(locks.inspect("folders")).as("released with the outermost call").isEmpty();
        }
    }

    @Test
    void zlockRaisesAConflictAtOnce() {
        try (LockManager locks = managerLikeTheSeed(); LockManager otherClient = managerLikeTheSeed()) {
            // --- README: zlock
            LockOptions conflict = LockOptions.builder().onConflict(name -> new ConflictError(name)).build();
            Function<Document, String> publish =
                    locks.locked(document -> "workflow.publish:" + document.path(), conflict, this::reindex);
            // --- end
            try (Lock busy = otherClient.acquire("workflow.publish:/site/news")) {
                assertThat(busy.isHeld()).isTrue();
                assertThatThrownBy(() -> publish.apply(new Document("/site/news")))
                        .isInstanceOf(ConflictError.class).hasMessageContaining("workflow.publish:/site/news");
            }
            assertThat(publish.apply(new Document("/site/news"))).isEqualTo("/site/news");
            assertThat(done).containsExactly("reindexed /site/news");
        }
    }
}
