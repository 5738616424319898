package io.distlock.file;

import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.RecordingEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the file backend tells its engine which names were released: from the waited-for records of
 * the stripe itself, to every listening backend of the JVM, without a list of watched names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReleaseReportTest {
    @TempDir
    Path directory;

    private final List<FileLockBackend> backends = new ArrayList<>();

    @AfterEach
    void closeAll() {
        backends.forEach(FileLockBackend::close);
    }

    private FileLockBackend started(RecordingEvents events) {
        FileLockBackend backend = FileLockBackend.builder().directory(directory).build();
        backends.add(backend);
        backend.start(events);
        return backend;
    }

    private static AcquireRequest request(String name, String owner) {
        return new AcquireRequest(name, owner, Duration.ofMinutes(1), "host", ProcessHandle.current().pid(),
                "thread-" + owner, Instant.now());
    }

    /** A name other than {@code name} that shares its stripe. */
    private static String stripeMate(String name) {
        for (int i = 0; ; i++) {
            if (FileKeys.stripeOf(name + i) == FileKeys.stripeOf(name)) {
                return name + i;
            }
        }
    }

    @Test
    void aBusyAnswerNamesTheHolderItRead() {
        FileLockBackend backend = started(new RecordingEvents());
        assertThat(backend.tryAcquire(request("named", "first")).isAcquired()).isTrue();
        AcquireResult busy = backend.tryAcquire(request("named", "second"));
        assertThat(busy.isAcquired()).isFalse();
        assertThat(busy.holder()).hasValueSatisfying(holder -> {
            assertThat(holder.ownerId()).isEqualTo("first");
            assertThat(holder.thread()).isEqualTo("thread-first");
        });
    }

    @Test
    void aWaitedForReleaseIsReportedToEveryListeningBackendAndNothingElse() {
        RecordingEvents holderEvents = new RecordingEvents();
        RecordingEvents waiterEvents = new RecordingEvents();
        FileLockBackend holder = started(holderEvents);
        FileLockBackend waiter = started(waiterEvents);
        String waited = "waited";
        String unwaited = stripeMate(waited);

        assertThat(holder.tryAcquire(request(waited, "h1")).isAcquired()).isTrue();
        assertThat(holder.tryAcquire(request(unwaited, "h2")).isAcquired()).isTrue();
        assertThat(waiter.tryAcquire(request(waited, "w1")).isAcquired()).isFalse();
        assertThat(holder.release(unwaited, "h2")).isTrue();
        assertThat(waiterEvents.released).as("a release nobody waited for wakes nobody").isEmpty();

        assertThat(holder.release(waited, "h1")).isTrue();
        // The releasing operation itself saw the waited-for record go: no event needed in this JVM.
        assertThat(waiterEvents.released).containsExactly(waited);
        assertThat(holderEvents.released).containsExactly(waited);

        // Once reported, it is not remembered: the watch thread's look after the signal finds nothing new.
        assertThat(waiter.inspect(waited)).isEmpty();
        assertThat(waiterEvents.released).containsExactly(waited);
    }

    @Test
    void aWaitedForLockWhoseLeaseRanOutIsReportedWhenTakenOver() {
        RecordingEvents events = new RecordingEvents();
        FileLockBackend backend = started(events);
        assertThat(backend.tryAcquire(request("lapsed", "old")).isAcquired()).isTrue();
        assertThat(backend.tryAcquire(request("lapsed", "waiter")).isAcquired()).isFalse();
        // Its holder renews for 1 ms and then vanishes: no release will ever signal.
        assertThat(backend.extend("lapsed", "old", Duration.ofMillis(1))).isTrue();
        Eventually.until("the 1 ms lease ends", Duration.ofSeconds(10),
                () -> backend.tryAcquire(request("lapsed", "taker")).isAcquired());
        assertThat(events.released).as("the take-over ended the waited-for record").containsExactly("lapsed");
    }
}
