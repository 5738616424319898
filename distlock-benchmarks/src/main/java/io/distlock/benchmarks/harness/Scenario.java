package io.distlock.benchmarks.harness;

import java.time.Duration;

/**
 * Who contends for what: {@code clients} clients (each its own connections, as that many processes
 * would have) with {@code threadsPerClient} threads each, either all on one name or each thread on a
 * name of its own.
 *
 * @param id         a stable key, matched by {@code -Dbench.only=...}
 * @param maxHold    work under the lock: a random sleep of up to this long (zero: none), so that a
 *                   poller's wake-ups fall at random points of the hold
 * @param takeTurns  a holder, once released, waits until another contender has had the lock (a
 *                   poller would otherwise almost never win against a holder that re-acquires at once)
 */
public record Scenario(String id, String label, int clients, int threadsPerClient, boolean oneName, Duration maxHold,
                       boolean takeTurns) {

    /** Every thread of one client on a name of its own: uncontended. */
    public static Scenario distinctNames(String id, String label, int threads) {
        return new Scenario(id, label, 1, threads, false, Duration.ZERO, false);
    }

    /** All threads of all clients on one name. */
    public static Scenario oneName(String id, String label, int clients, int threadsPerClient) {
        return new Scenario(id, label, clients, threadsPerClient, true, Duration.ZERO, false);
    }

    public Scenario holdingUpTo(Duration hold) {
        return new Scenario(id, label, clients, threadsPerClient, oneName, hold, takeTurns);
    }

    public Scenario takingTurns() {
        return new Scenario(id, label, clients, threadsPerClient, oneName, maxHold, true);
    }

    public int contenders() {
        return clients * threadsPerClient;
    }
}
