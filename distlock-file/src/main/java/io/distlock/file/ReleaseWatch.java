package io.distlock.file;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The file-change watch on a directory's signal files (inotify on Linux), and the backends of this
 * JVM that want to hear of releases. One thread per directory per JVM takes the change events and
 * hands the stripe they name to {@code onSignal} ({@link LockDirectory} reads that stripe and
 * reports what was released). Where the file system cannot notify, there is no watch, and waiters
 * poll at their retry interval.
 */
final class ReleaseWatch {
    private static final Logger log = LoggerFactory.getLogger(ReleaseWatch.class);

    private final Path signals;
    private final String threadName;
    /** Called on the watch thread with a stripe index, or -1 after an event overflow (any stripe may have changed). */
    private final IntConsumer onSignal;
    private final CopyOnWriteArrayList<Consumer<Collection<String>>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private @Nullable WatchService service;

    ReleaseWatch(Path signals, String threadName, IntConsumer onSignal) {
        this.signals = signals;
        this.threadName = threadName;
        this.onSignal = onSignal;
    }

    /**
     * Adds a listener for released names, starting the watch if it is not running. Returns false
     * (and adds nothing) when this file system cannot notify.
     */
    boolean addListener(Consumer<Collection<String>> listener) {
        synchronized (lock) {
            if (service == null) {
                start();
            }
            if (service == null) {
                return false;
            }
            listeners.add(listener);
            return true;
        }
    }

    void removeListener(Consumer<Collection<String>> listener) {
        listeners.remove(listener);
    }

    /** Whether anyone listens, so that operations need to tell which waited-for records went away. */
    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * Tells every listener that {@code names} were released. A listener that throws (an engine
     * never should) is logged: it must not fail the operation that happened to see the release,
     * nor end the watch thread.
     */
    void report(Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        for (Consumer<Collection<String>> listener : listeners) {
            try {
                listener.accept(names);
            } catch (RuntimeException e) {
                log.warn("A release listener failed on {}", names, e);
            }
        }
    }

    /** Watches the signal directory again after it was removed and recreated. */
    void rewatch() {
        synchronized (lock) {
            if (service != null) {
                try {
                    signals.register(service, StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | ClosedWatchServiceException e) {
                    log.warn("Could not watch the recreated {} ({}); waiters will poll", signals, e.toString());
                }
            }
        }
    }

    void stop() {
        synchronized (lock) {
            if (service != null) {
                try {
                    service.close();
                } catch (IOException e) {
                    log.debug("Closing the watch on {} failed", signals, e);
                }
                service = null;
            }
        }
    }

    private void start() {
        try {
            WatchService started = signals.getFileSystem().newWatchService();
            try {
                signals.register(started, StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | RuntimeException e) {
                started.close();
                throw e;
            }
            Thread thread = new Thread(() -> run(started), threadName);
            thread.setDaemon(true);
            thread.start();
            service = started;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("No file change notification for {} ({}); waiters will poll at their retry interval",
                    signals, e.toString());
        }
    }

    private void run(WatchService watched) {
        try {
            while (true) {
                WatchKey key = watched.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        onSignal.accept(-1);
                        continue;
                    }
                    int stripe = Layout.stripeOf(((Path) event.context()).getFileName().toString());
                    if (stripe >= 0) {
                        onSignal.accept(stripe);
                    }
                }
                // An invalid key means the directory went away; rewatch() registers the new one.
                key.reset();
            }
        } catch (ClosedWatchServiceException | InterruptedException closed) {
            // stop() closed the watch.
        } catch (RuntimeException | Error e) {
            log.warn("The watch on {} stopped; waiters will poll at their retry interval", signals, e);
        }
    }
}
