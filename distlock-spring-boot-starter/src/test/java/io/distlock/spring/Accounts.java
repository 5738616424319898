package io.distlock.spring;

import io.distlock.Locked;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bean with no interface (so only a class proxy can intercept it) whose methods enter, say so,
 * and wait for the test's go: the test sees who is inside a lock, and for which key, without sleeping.
 */
public class Accounts {
    final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> mostInside = new ConcurrentHashMap<>();

    public record Account(String id) {
    }

    @DistributedLock(key = "'account:' + #account.id", waitTime = "30s")
    public void post(Account account, CountDownLatch entered, CountDownLatch proceed) throws InterruptedException {
        enterAndWait("account:" + account.id(), entered, proceed);
    }

    @Locked(value = "core:{id}", waitTime = "30s")
    public void core(String id, CountDownLatch entered, CountDownLatch proceed) throws InterruptedException {
        enterAndWait("core:" + id, entered, proceed);
    }

    @DistributedLock(key = "'${accounts.prefix}:' + #p0")
    public String placeholder(String id) {
        return "ran " + id;
    }

    /** The most callers that were inside {@code key} at once (a method: the test holds the class proxy, whose fields are not the bean's). */
    public int mostInside(String key) {
        AtomicInteger most = mostInside.get(key);
        return most == null ? 0 : most.get();
    }

    void enterAndWait(String key, CountDownLatch entered, CountDownLatch proceed) throws InterruptedException {
        int now = inside.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        mostInside.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            entered.countDown();
            if (!proceed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never said go");
            }
        } finally {
            inside.get(key).decrementAndGet();
        }
    }
}
