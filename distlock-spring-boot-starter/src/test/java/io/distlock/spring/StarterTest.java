package io.distlock.spring;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockBackends;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockTimeoutException;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.micrometer.DistlockMetrics;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The starter in real application contexts on the file backend (a temp directory). */
class StarterTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withPropertyValues("distlock.uri=file:" + dir, "accounts.prefix=acct");
    }

    @Test
    void aLockManagerOnTheConfiguredBackendAndNamespaceClosedWithTheContext() {
        runner().withPropertyValues("distlock.namespace=billing", "distlock.lease=45s").run(context -> {
            assertThat(context).hasSingleBean(LockManager.class);
            LockManager locks = context.getBean(LockManager.class);
            assertThat(locks.describe()).contains(dir.toString()).contains("namespace=billing");
            Lock held = locks.acquire("invoice-run");
            assertThat(held.expiresAt()).isAfter(Instant.now().plusSeconds(40));
            try (LockManager other = LockManager.builder(LockBackends.open("file:" + dir + "?namespace=billing")).build()) {
                assertThat(other.tryAcquire("invoice-run")).as("held through the context's manager").isEmpty();
            }
        });
        // The context closed its manager, which released what it held.
        try (LockManager other = LockManager.builder(LockBackends.open("file:" + dir + "?namespace=billing")).build()) {
            Optional<Lock> again = other.tryAcquire("invoice-run");
            assertThat(again).isPresent();
            again.get().close();
        }
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnManager() {
        runner().withBean("mine", LockManager.class, () -> LockManager.builder(InMemoryLockBackend.create()).build())
                .run(context -> {
                    assertThat(context).hasSingleBean(LockManager.class);
                    assertThat(context.getBean(LockManager.class).describe()).doesNotContain(dir.toString());
                });
    }

    @Test
    void spelKeysExcludePerKeyAndLetDifferentKeysRunInParallel() {
        runner().withBean(Accounts.class).run(context -> {
            Accounts accounts = context.getBean(Accounts.class);
            assertThat(AopUtils.isCglibProxy(accounts)).as("a class proxy: Accounts has no interface").isTrue();
            Exclusion.check(accounts, context.getBean(LockManager.class), "account:",
                    (id, entered, proceed) -> accounts.post(new Accounts.Account(id), entered, proceed));
        });
    }

    @Test
    void coreLockedTemplatesWorkOnSpringBeansToo() {
        runner().withBean(Accounts.class).run(context -> {
            Accounts accounts = context.getBean(Accounts.class);
            Exclusion.check(accounts, context.getBean(LockManager.class), "core:", accounts::core);
        });
    }

    @Test
    void placeholdersInKeysComeFromTheEnvironment() {
        runner().withBean(Accounts.class).withPropertyValues("distlock.wait=100ms").run(context -> {
            Accounts accounts = context.getBean(Accounts.class);
            assertThat(accounts.placeholder("7")).isEqualTo("ran 7");
            try (Lock held = context.getBean(LockManager.class).acquire("acct:7")) {
                assertThatThrownBy(() -> accounts.placeholder("7")).isInstanceOf(LockTimeoutException.class)
                        .hasMessageContaining("'acct:7'");
            }
        });
    }

    @Test
    void keysSeeTheCallAsRoot() {
        runner().withBean(Jobs.class).withPropertyValues("distlock.wait=100ms").run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            assertThat(jobs.rooted("x")).isEqualTo("x");
            try (Lock held = context.getBean(LockManager.class).acquire("Jobs.rooted:x")) {
                assertThatThrownBy(() -> jobs.rooted("x")).isInstanceOf(LockTimeoutException.class)
                        .hasMessageContaining("'Jobs.rooted:x'");
            }
        });
    }

    @Test
    void aScheduledJobSkipsTheTickWhenTheLockIsBusyAndRunsWhenFree() {
        runner().withBean(Jobs.class).run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            LockManager locks = context.getBean(LockManager.class);
            try (Lock elsewhere = locks.acquire("report"); Lock core = locks.acquire("core-job")) {
                jobs.report();
                jobs.coreJob();
                assertThat(jobs.runs("report")).isEqualTo(0);
                assertThat(jobs.runs("core")).isEqualTo(0);
            }
            jobs.report();
            jobs.coreJob();
            assertThat(jobs.runs("report")).isEqualTo(1);
            assertThat(jobs.runs("core")).isEqualTo(1);
            assertThat(locks.inspect("report")).as("released when the job returned").isEmpty();
        });
    }

    @Test
    void minHoldKeepsTheLockAfterAFastMethodReturnsThenReleasesIt() {
        runner().withBean(Jobs.class).run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            LockManager locks = context.getBean(LockManager.class);
            long start = System.nanoTime();
            jobs.fast();
            assertThat(jobs.runs("fast")).isEqualTo(1);
            Optional<LockInfo> held = locks.inspect("fast");
            assertThat(held).as("still held after the method returned").isPresent();
            Eventually.until("the lock is released after its minimum hold", Duration.ofSeconds(20),
                    () -> locks.inspect("fast").isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
            assertThat(locks.list("")).isEmpty();
        });
    }

    @Test
    void metricsAreRecordedWithTheDocumentedNamesAndTags() {
        runner().withBean(SimpleMeterRegistry.class).withBean(Jobs.class).run(context -> {
            SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
            LockManager locks = context.getBean(LockManager.class);
            Jobs jobs = context.getBean(Jobs.class);
            assertThat(context).hasSingleBean(DistlockMetrics.class);
            try (Lock held = locks.acquire("report")) {
                assertThat(registry.get(DistlockMetrics.HELD).tag("backend", "file").longTaskTimer().activeTasks())
                        .isEqualTo(1);
                assertThatThrownBy(() -> locks.acquire("report", io.distlock.LockOptions.tryOnce()))
                        .isInstanceOf(LockTimeoutException.class);
                jobs.report();
                assertThat(jobs.runs("report")).as("skipped: the tick found the lock busy").isZero();
                assertThatThrownBy(() -> locks.acquire("report", io.distlock.LockOptions.builder()
                        .timeout(Duration.ofMillis(20)).build())).isInstanceOf(LockTimeoutException.class);
                held.extend(Duration.ofSeconds(30));
            }
            jobs.report();
            assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("backend", "file").tag("result", "acquired")
                    .timer().count()).isEqualTo(2);
            assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("backend", "file").tag("result", "busy")
                    .timer().count()).as("a try-once acquire and the skipped tick").isEqualTo(2);
            assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("backend", "file").tag("result", "timed_out")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.get(DistlockMetrics.RENEWALS).tag("backend", "file").counter().count()).isEqualTo(1);
            assertThat(registry.get(DistlockMetrics.HELD).longTaskTimer().activeTasks()).isZero();
        });
    }

    @Test
    void severalListenerBeansEachHearEveryKindOfEvent() throws Exception {
        io.distlock.LockListener all = ManagerFactory.Listeners.of(List.of(new io.distlock.LockListener() { },
                new io.distlock.LockListener() { }));
        for (java.lang.reflect.Method event : io.distlock.LockListener.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(event.getModifiers())) {
                assertThat(all.getClass().getMethod(event.getName(), event.getParameterTypes()).getDeclaringClass())
                        .as("passed on to every listener: " + event).isNotEqualTo(io.distlock.LockListener.class);
            }
        }
    }

    @Test
    void theEndpointListsAndInspectsAndIsReadOnlyByDefault() {
        runner().withPropertyValues("management.endpoints.web.exposure.include=distlocks").run(context -> {
            DistlocksEndpoint endpoint = context.getBean(DistlocksEndpoint.class);
            assertThat(endpoint).isNotInstanceOf(DistlocksEndpoint.Writable.class);
            try (Lock a = context.getBean(LockManager.class).acquire("b-lock");
                 Lock b = context.getBean(LockManager.class).acquire("a-lock")) {
                assertThat(endpoint.locks(null, null)).extracting(LockInfo::name).containsExactly("a-lock", "b-lock");
                assertThat(endpoint.locks("b", null)).extracting(LockInfo::name).containsExactly("b-lock");
                assertThat(endpoint.locks(null, 1)).extracting(LockInfo::name).containsExactly("a-lock");
                assertThat(endpoint.locks("b", 1)).extracting(LockInfo::name).containsExactly("b-lock");
                assertThatThrownBy(() -> endpoint.locks(null, 0)).isInstanceOf(InvalidEndpointRequestException.class)
                        .hasMessageContaining("limit").hasMessageContaining("0");
                assertThat(endpoint.lock("a-lock").token()).isEqualTo(b.token());
                assertThat(endpoint.lock("free")).isNull();
            }
        });
        runner().withPropertyValues("management.endpoints.web.exposure.include=distlocks",
                "distlock.endpoint.force-release-enabled=true").run(context -> {
            DistlocksEndpoint.Writable endpoint = context.getBean(DistlocksEndpoint.Writable.class);
            Lock held = context.getBean(LockManager.class).acquire("stuck");
            assertThat(endpoint.forceRelease("stuck")).isTrue();
            assertThat(endpoint.lock("stuck")).isNull();
            assertThat(held.verify()).isFalse();
        });
    }

    @Test
    void theEndpointAsksTheBackendForAtMostTheDefaultLimit() {
        List<Integer> limits = new CopyOnWriteArrayList<>();
        LockBackend recording = new ForwardingLockBackend(InMemoryLockBackend.create()) {
            @Override
            public ListPage list(String prefix, int limit) {
                limits.add(limit);
                return super.list(prefix, limit);
            }
        };
        try (LockManager locks = LockManager.builder(recording).build()) {
            DistlocksEndpoint endpoint = new DistlocksEndpoint(locks);
            endpoint.locks(null, null);
            endpoint.locks("x", 7);
            assertThat(limits).containsExactly(DistlocksEndpoint.DEFAULT_LIMIT, 7);
        }
    }

    @Test
    void badPropertiesStopTheContextNamingTheProperty() {
        runner().withPropertyValues("distlock.uri=nosuch://host").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.uri").contains("nosuch"));
        runner().withPropertyValues("distlock.lease=-5s").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.lease").contains("-5s"));
        runner().withPropertyValues("distlock.wait=soon").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.wait").contains("soon"));
        runner().withPropertyValues("distlock.retry-interval=0").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.retry-interval"));
        // Contract 6.2: over the one maximum, named with the property; never an overflow at startup.
        runner().withPropertyValues("distlock.lease=200000d").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.lease").contains("200000d")
                        .contains("365 days").doesNotContain("ArithmeticException"));
        runner().withPropertyValues("distlock.wait=P99999999999D").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.wait").contains("P99999999999D")
                        .contains("365 days"));
        runner().withPropertyValues("distlock.retry-interval=366d").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("distlock.retry-interval").contains("365 days"));
        runner().withPropertyValues("distlock.uri=file:?timeout=999999999d").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("timeout=999999999d")
                        .contains("365 days"));
    }

    /** A backend that cannot be reached for now is tried again within distlock.wait; one that cannot work fails at once. */
    @Test
    void aBackendNotReachableYetIsTriedAgainWithinTheWait() {
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        BackendOpener lateThenUp = properties -> {
            if (tries.incrementAndGet() < 3) {
                throw new io.distlock.spi.ConnectionUnavailableException("not reachable yet (try " + tries.get() + ")");
            }
            return io.distlock.memory.InMemoryLockBackend.create();
        };
        runner().withBean(BackendOpener.class, () -> lateThenUp).withPropertyValues("distlock.wait=30s").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(tries.get()).isEqualTo(3);
        });

        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        BackendOpener wrongPassword = properties -> {
            refused.incrementAndGet();
            throw new io.distlock.LockBackendException("WRONGPASS invalid username-password pair");
        };
        runner().withBean(BackendOpener.class, () -> wrongPassword).withPropertyValues("distlock.wait=30s").run(context -> {
            assertThat(messages(context.getStartupFailure())).contains("WRONGPASS");
            assertThat(refused.get()).as("a failure no retry can cure is not retried").isEqualTo(1);
        });

        BackendOpener neverUp = properties -> {
            throw new io.distlock.spi.ConnectionUnavailableException("never reachable");
        };
        runner().withBean(BackendOpener.class, () -> neverUp).withPropertyValues("distlock.wait=300ms").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("never reachable"));
    }

    @Test
    void badKeyExpressionsStopTheContextNamingTheMethodAndTheKey() {
        runner().withBean(BadKeys.UnknownParameter.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("#acount").contains("account")
                        .contains("UnknownParameter.post"));
        runner().withBean(BadKeys.NotSpel.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("is not a SpEL expression")
                        .contains("NotSpel.post"));
        runner().withBean(BadKeys.MissingPlaceholder.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("no.such.property"));
        runner().withBean(BadKeys.BadDuration.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("lease '5'").contains("BadDuration.post"));
        runner().withBean(BadKeys.BadTemplate.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("{nope}").contains("BadTemplate.post"));
        runner().withBean(BadKeys.UnquotedLiteral.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("key 'report'")
                        .contains("UnquotedLiteral.post").contains("must be quoted, as in key = \"'report'\""));
        runner().withBean(BadKeys.UnquotedInside.class).run(context ->
                assertThat(messages(context.getStartupFailure())).contains("reads nightly as a property")
                        .contains("UnquotedInside.post"));
    }

    @Test
    void keysReadingTheRootOrElementsStartTheContext() {
        runner().withBean(GoodKeys.class).run(context -> {
            assertThat(context).hasNotFailed();
            GoodKeys keys = context.getBean(GoodKeys.class);
            assertThat(keys.byMethodName()).isEqualTo("ran");
            assertThat(keys.selected(List.of(new Accounts.Account("a"), new Accounts.Account("b")))).isEqualTo("ran");
        });
    }

    /** Keys that read the root object's own properties, or elements' properties in a selection: all valid. */
    public static class GoodKeys {
        @DistributedLock(key = "methodName + ':' + #root.targetClass.simpleName")
        public String byMethodName() {
            return "ran";
        }

        @DistributedLock(key = "'first:' + #accounts.?[id == 'b'][0].id")
        public String selected(List<Accounts.Account> accounts) {
            return "ran";
        }
    }

    @Test
    void aKeyThatGivesNullFailsTheCallNamingTheExpression() {
        runner().withBean(Accounts.class).run(context -> {
            Accounts accounts = context.getBean(Accounts.class);
            assertThatThrownBy(() -> accounts.post(null, new java.util.concurrent.CountDownLatch(1),
                    new java.util.concurrent.CountDownLatch(0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'account:' + #account.id");
        });
    }

    static String messages(Throwable failure) {
        assertThat(failure).as("the context failed to start").isNotNull();
        List<String> all = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.add(String.valueOf(t.getMessage()));
        }
        return String.join("\n", all);
    }

    /** Beans whose annotations are wrong, each in its own way. */
    static final class BadKeys {
        public static class UnknownParameter {
            @DistributedLock(key = "'a:' + #acount")
            public void post(String account) {
            }
        }

        /** ShedLock's habit: a lock name without SpEL quotes. */
        public static class UnquotedLiteral {
            @DistributedLock(key = "report")
            public void post(String account) {
            }
        }

        public static class UnquotedInside {
            @DistributedLock(key = "nightly + ':' + #account")
            public void post(String account) {
            }
        }

        public static class NotSpel {
            @DistributedLock(key = "'a:' +")
            public void post(String account) {
            }
        }

        public static class MissingPlaceholder {
            @DistributedLock(key = "'${no.such.property}:' + #account")
            public void post(String account) {
            }
        }

        public static class BadDuration {
            @DistributedLock(key = "'a'", lease = "5")
            public void post(String account) {
            }
        }

        public static class BadTemplate {
            @io.distlock.Locked("a:{nope}")
            public void post(String account) {
            }
        }
    }
}
