/**
 * Metrics from distlock's engine: {@code DistlockMetrics}, a lock listener that records to a
 * Micrometer registry. Its builder takes a {@code MeterRegistry} and it is a {@code LockListener},
 * so both modules come with this one.
 */
// Micrometer names its jar as an automatic module only; its registry is in this module's API all the same.
@SuppressWarnings("requires-transitive-automatic")
module io.distlock.micrometer {
    requires transitive io.distlock;
    requires transitive micrometer.core;

    exports io.distlock.micrometer;
}
