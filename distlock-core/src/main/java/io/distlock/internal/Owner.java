package io.distlock.internal;


import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/** Who this process is, and owner ids unique per acquisition across every JVM. */
final class Owner {
    static final String HOST = hostName();
    static final long PID = ProcessHandle.current().pid();

    /** A random per-JVM prefix plus a counter: unique without a SecureRandom call per acquisition. */
    private static final String PREFIX = randomPrefix();
    private static final AtomicLong COUNTER = new AtomicLong();

    private Owner() {
    }

    static String newId() {
        // Decimal, so the concatenation formats the counter straight into the id: one string, no temporary.
        return PREFIX + COUNTER.incrementAndGet();
    }

    private static String randomPrefix() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes) + "-";
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "localhost";
        }
    }
}
