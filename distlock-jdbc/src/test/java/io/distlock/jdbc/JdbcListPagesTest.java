package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code list(prefix, limit)} past the first page of rows (1000): the keyset paging's next page
 * starts after the last name read, on every database, so nothing is read twice or skipped.
 */
class JdbcListPagesTest {
    private static final int HELD = 1005;
    private static ServerProcess postgres;
    private static ServerProcess mariadb;

    @BeforeAll
    static void startServers() {
        postgres = PostgresServers.start();
        mariadb = MariaDbServers.start();
    }

    @AfterAll
    static void stopServers() {
        if (postgres != null) {
            PostgresServers.stopFast(postgres);
            postgres.close();
        }
        if (mariadb != null) {
            mariadb.close();
        }
    }

    @Test
    void h2() {
        pages("jdbc:h2:mem:list-pages;DB_CLOSE_DELAY=-1");
    }

    @Test
    void postgresql() {
        pages(PostgresServers.uri(postgres) + "?distlock.table=list_pages");
    }

    @Test
    void mariadb() {
        pages(MariaDbServers.uri(mariadb) + "&distlock.table=list_pages");
    }

    private static void pages(String uri) {
        List<String> names = IntStream.range(0, HELD).mapToObj(i -> String.format("page/%04d", i)).toList();
        try (LockManager holder = LockManager.builder(JdbcLockBackend.open(uri)).build();
             LockManager viewer = LockManager.builder(JdbcLockBackend.open(uri)).build()) {
            List<Lock> held = new ArrayList<>();
            for (String name : names) {
                held.add(holder.acquire(name, LockOptions.tryOnce()));
            }
            held.add(holder.acquire("page0", LockOptions.tryOnce()));
            held.add(holder.acquire("pagf", LockOptions.tryOnce()));

            ListPage all = viewer.list("page/", HELD);
            assertThat(all.truncated()).isFalse();
            assertThat(all.locks()).extracting(LockInfo::name).containsExactlyElementsOf(names);
            ListPage cut = viewer.list("page/", HELD - 1);
            assertThat(cut.truncated()).isTrue();
            assertThat(cut.locks()).extracting(LockInfo::name).containsExactlyElementsOf(names.subList(0, HELD - 1));
            assertThat(viewer.list("", Integer.MAX_VALUE).locks()).hasSize(HELD + 2);
            assertThat(viewer.list("", HELD + 1).truncated()).isTrue();
            held.forEach(Lock::release);
        }
    }
}
