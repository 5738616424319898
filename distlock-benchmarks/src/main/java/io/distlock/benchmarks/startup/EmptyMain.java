package io.distlock.benchmarks.startup;

/**
 * The floor of {@link StartupBenchmark}: a JVM that starts, runs nothing and exits, with the
 * launcher's flags. It runs from a directory holding only this class, not from the benchmarks' jar,
 * so the floor does not pay for opening a large jar.
 */
public final class EmptyMain {
    private EmptyMain() {
    }

    public static void main(String[] args) {
        // Nothing: the JVM's own start and exit are what is measured.
    }
}
