package io.distlock;

/**
 * A monotonic source of nanoseconds. Everything the engine measures (waits, local lease validity,
 * renewal) reads this, so tests can drive time instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long read();

    /** {@code System.nanoTime()}; always the same instance, so the engine can recognise it. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
