package io.distlock.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes that open one fresh directory at the same moment each make its layout: none of them may
 * take another's making of the layout file for tampering. Found by the contract kit's four child JVMs
 * on a fresh directory ("layout was replaced while it was being opened"): the layout was written by
 * renaming a scratch file over it, which replaced the file a racing opener had just checked. Guards
 * opened side by side in one JVM (the registry that shares one guard per directory is bypassed) race
 * the same way, many times a run.
 */
class FreshDirectoryRaceTest {
    private static final int OPENERS = 8;

    @TempDir
    Path dir;

    @RepeatedTest(20)
    void openersOfOneFreshDirectoryAllSucceed() throws Exception {
        Path fresh = dir.resolve("fresh");
        CyclicBarrier start = new CyclicBarrier(OPENERS);
        ExecutorService pool = Executors.newFixedThreadPool(OPENERS);
        try {
            List<Future<DirectoryGuard>> opened = new ArrayList<>();
            for (int i = 0; i < OPENERS; i++) {
                opened.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    DirectoryGuard guard = DirectoryGuard.open(fresh, "distlock", null, false);
                    guard.verify();
                    return guard;
                }));
            }
            for (Future<DirectoryGuard> guard : opened) {
                assertThat(guard.get(30, TimeUnit.SECONDS).layoutPresent()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
