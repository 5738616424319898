package io.distlock.memcached;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ketama-style consistent-hash ring over the configured servers: each server, by its label
 * ({@code host:port}), owns 160 points (four per MD5 of {@code label-i}, i = 0..39); a key belongs to
 * the first point at or after the first four bytes (little-endian) of its MD5, wrapping around.
 * Adding or removing a server moves only the names of the arcs it gains or loses.
 *
 * <p>The ring is fixed for the backend's life: a server that is down keeps its arcs, so its names
 * fail rather than move to another server (which would let a second holder in while the first
 * still holds, and bring the old lock back when the server returns). The placement depends only
 * on the set of labels, not their order, so every client configured with the same servers, written
 * the same way, agrees on where each name lives.
 */
final class HashRing<T> {
    private static final int POINTS_PER_HASH = 4;
    private static final int HASHES_PER_SERVER = 40;

    private final TreeMap<Long, T> points = new TreeMap<>();

    HashRing(Map<String, T> nodesByLabel) {
        // Sorted labels, so that a point claimed by two servers (an MD5 tie) goes to the same one everywhere.
        for (String label : new TreeMap<>(nodesByLabel).keySet()) {
            T node = nodesByLabel.get(label);
            for (int i = 0; i < HASHES_PER_SERVER; i++) {
                byte[] digest = md5(label + "-" + i);
                for (int p = 0; p < POINTS_PER_HASH; p++) {
                    points.putIfAbsent(point(digest, p * 4), node);
                }
            }
        }
    }

    T nodeFor(String key) {
        if (points.size() == 0) {
            throw new IllegalStateException("a ring without servers");
        }
        Map.Entry<Long, T> entry = points.ceilingEntry(point(md5(key), 0));
        return entry != null ? entry.getValue() : points.firstEntry().getValue();
    }

    List<T> nodes() {
        return points.values().stream().distinct().toList();
    }

    private static long point(byte[] digest, int offset) {
        return ((long) (digest[offset + 3] & 0xff) << 24) | ((long) (digest[offset + 2] & 0xff) << 16)
                | ((long) (digest[offset + 1] & 0xff) << 8) | (digest[offset] & 0xff);
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }
}
