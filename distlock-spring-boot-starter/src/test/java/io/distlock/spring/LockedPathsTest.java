package io.distlock.spring;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.Locked;
import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @Locked} means the same through both of its paths: core's JDK proxy
 * ({@code LockManager.proxy}) and the starter's advisor on a Spring bean. A table of annotated
 * methods runs through each path against a manager that records what it is asked to lock; both
 * must ask for the same name with the same options, the one the table expects. A table of bad
 * annotations must be refused by both, at start-up, with the same message.
 */
class LockedPathsTest {
    private static final String SERVICE = Table.class.getName() + "Service";

    /** The methods of the table; the annotations are on the implementation, as on a Spring bean. */
    public interface Table {
        void plain();

        void overloaded(String day);

        void overloaded(String day, int year);

        void fixed();

        void byIndex(String account, long cents);

        void byName(String account, int year);

        void braces(String id);

        void leased();

        void tryOnce();

        void forever();

        void iso();

        void conflict();

        void conflictOwn();

        @Locked(value = "on-the-interface:{0}", lease = "2m")
        void onInterface(String id);
    }

    public static class TableService implements Table {
        @Locked
        @Override
        public void plain() {
        }

        @Locked
        @Override
        public void overloaded(String day) {
        }

        @Locked
        @Override
        public void overloaded(String day, int year) {
        }

        @Locked("nightly-report")
        @Override
        public void fixed() {
        }

        @Locked("account:{0}")
        @Override
        public void byIndex(String account, long cents) {
        }

        @Locked("account:{account}:{year}")
        @Override
        public void byName(String account, int year) {
        }

        @Locked("{{literal}}:{0}")
        @Override
        public void braces(String id) {
        }

        @Locked(value = "leased", lease = "1m30s")
        @Override
        public void leased() {
        }

        @Locked(value = "try-once", waitTime = "0")
        @Override
        public void tryOnce() {
        }

        @Locked(value = "forever", waitTime = "forever", reentrant = true)
        @Override
        public void forever() {
        }

        @Locked(value = "iso", waitTime = "PT2S", lease = "PT45S", autoRenew = true)
        @Override
        public void iso() {
        }

        @Locked(value = "conflict", conflict = true)
        @Override
        public void conflict() {
        }

        @Locked(value = "conflict-own", conflict = true, conflictException = Busy.class)
        @Override
        public void conflictOwn() {
        }

        @Override
        public void onInterface(String id) {
        }
    }

    public static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Busy(String message) {
            super(message);
        }
    }

    /** Each call of the table, and the lock and options it must ask for on both paths. */
    private static final Map<String, Consumer<Table>> CALLS = new LinkedHashMap<>();
    private static final List<String> EXPECTED = new ArrayList<>();

    private static void row(Consumer<Table> call, String expected) {
        CALLS.put(expected, call);
        EXPECTED.add(expected);
    }

    static {
        String none = " lease=- wait=- reentrant=false renew=false conflict=-";
        row(Table::plain, SERVICE + ".plain" + none);
        row(t -> t.overloaded("mon"), SERVICE + ".overloaded(String)" + none);
        row(t -> t.overloaded("mon", 2026), SERVICE + ".overloaded(String,int)" + none);
        row(Table::fixed, "nightly-report" + none);
        row(t -> t.byIndex("42", 100), "account:42" + none);
        row(t -> t.byIndex(null, 1), "account:null" + none);
        row(t -> t.byName("42", 2026), "account:42:2026" + none);
        row(t -> t.braces("7"), "{literal}:7" + none);
        row(Table::leased, "leased lease=PT1M30S wait=- reentrant=false renew=false conflict=-");
        row(Table::tryOnce, "try-once lease=- wait=PT0S reentrant=false renew=false conflict=-");
        row(Table::forever, "forever lease=- wait=PT-1S reentrant=true renew=false conflict=-");
        row(Table::iso, "iso lease=PT45S wait=PT2S reentrant=false renew=true conflict=-");
        row(Table::conflict, "conflict lease=- wait=- reentrant=false renew=false conflict=LockConflictException");
        row(Table::conflictOwn, "conflict-own lease=- wait=- reentrant=false renew=false conflict=Busy: "
                + "Lock 'conflict-own' is busy (conflict mode, not waiting)");
        row(t -> t.onInterface("9"), "on-the-interface:9 lease=PT2M wait=- reentrant=false renew=false conflict=-");
    }

    @Test
    void theJdkProxyAndTheSpringAdvisorAskForTheSameLockWithTheSameOptions() {
        Recorder core = new Recorder();
        Table proxy = core.proxy(Table.class, new TableService());
        CALLS.values().forEach(call -> call.accept(proxy));
        core.close();

        Recorder spring = new Recorder();
        runner().withBean(LockManager.class, () -> spring).withBean(TableService.class).run(context -> {
            assertThat(context).hasNotFailed();
            Table bean = context.getBean(Table.class);
            CALLS.values().forEach(call -> call.accept(bean));
        });

        assertThat(core.asked).as("core's JDK proxy").containsExactlyElementsOf(EXPECTED);
        assertThat(spring.asked).as("the starter's advisor").containsExactlyElementsOf(core.asked);
    }

    /** One method, each implementation a different bad annotation. */
    public interface Job {
        void run(String account);
    }

    public static class BadLease implements Job {
        @Locked(lease = "30 seconds")
        @Override
        public void run(String account) {
        }
    }

    public static class UnknownParameter implements Job {
        @Locked("a:{nope}")
        @Override
        public void run(String account) {
        }
    }

    public static class ArgumentOutOfRange implements Job {
        @Locked("a:{1}")
        @Override
        public void run(String account) {
        }
    }

    public static class UnbalancedBrace implements Job {
        @Locked("a:}")
        @Override
        public void run(String account) {
        }
    }

    public static class ExceptionWithoutConflict implements Job {
        @Locked(value = "a", conflictException = Busy.class)
        @Override
        public void run(String account) {
        }
    }

    public static class ConflictWithAWait implements Job {
        @Locked(value = "a", conflict = true, waitTime = "5s")
        @Override
        public void run(String account) {
        }
    }

    /** A name no backend can lock: before one reader, Spring let it through until the first call. */
    public static class LoneSurrogate implements Job {
        @Locked("a\uD800")
        @Override
        public void run(String account) {
        }
    }

    @Test
    void badAnnotationsAreRefusedByBothPathsWithTheSameMessage() {
        Map<Class<? extends Job>, String> cases = new LinkedHashMap<>();
        cases.put(BadLease.class, "30 seconds");
        cases.put(UnknownParameter.class, "{nope}");
        cases.put(ArgumentOutOfRange.class, "{1}");
        cases.put(UnbalancedBrace.class, "'}' without its '{'");
        cases.put(ExceptionWithoutConflict.class, "needs conflict = true");
        cases.put(ConflictWithAWait.class, "cannot be combined with a waitTime");
        cases.put(LoneSurrogate.class, "unpaired UTF-16 surrogate");
        cases.forEach((type, problem) -> {
            Supplier<Job> make = () -> newInstance(type);
            String coreMessage;
            try (LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build()) {
                Throwable refused = catchThrowable(() -> locks.proxy(Job.class, make.get()));
                assertThat(refused).as(type.getSimpleName() + " through the JDK proxy")
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(problem);
                coreMessage = refused.getMessage();
            }
            runner().withBean(LockManager.class, () -> LockManager.builder(InMemoryLockBackend.create()).build())
                    .withBean(type).run(context -> {
                        assertThat(context).as(type.getSimpleName() + " on a Spring bean").hasFailed();
                        assertThat(messages(context.getStartupFailure())).as(type.getSimpleName() + " on a Spring bean")
                                .contains(coreMessage);
                    });
        });
    }

    private static ApplicationContextRunner runner() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class));
    }

    private static Job newInstance(Class<? extends Job> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable catchThrowable(Runnable action) {
        try {
            action.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static List<String> messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(t.getMessage());
        }
        return messages;
    }

    /** What {@code acquire} was asked for, one line per call: the name, then the options. */
    static String asked(String name, LockOptions options) {
        String conflict = options.onConflict().<RuntimeException>map(f -> f.apply(name))
                .map(e -> e.getClass().getSimpleName() + ": " + e.getMessage())
                .orElse(options.conflictMode() ? "LockConflictException" : "-");
        return name + " lease=" + options.lease().map(Object::toString).orElse("-")
                + " wait=" + options.timeout().map(Object::toString).orElse("-")
                + " reentrant=" + options.reentrant().orElse(null)
                + " renew=" + options.autoRenew().orElse(null)
                + " conflict=" + conflict;
    }

    /** A manager on the in-memory backend that writes down every {@code acquire(name, options)}. */
    static final class Recorder implements LockManager {
        final List<String> asked = new CopyOnWriteArrayList<>();
        private final LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();

        @Override
        public Lock acquire(String name, LockOptions options) {
            asked.add(asked(name, options));
            return locks.acquire(name, options);
        }

        @Override
        public Lock acquire(String name) {
            return acquire(name, LockOptions.defaults());
        }

        @Override
        public Lock acquire() {
            return locks.acquire();
        }

        @Override
        public Lock acquire(LockOptions options) {
            return locks.acquire(options);
        }

        @Override
        public Optional<Lock> tryAcquire(String name) {
            return locks.tryAcquire(name);
        }

        @Override
        public Optional<Lock> tryAcquire(String name, LockOptions options) {
            return locks.tryAcquire(name, options);
        }

        @Override
        public Optional<Lock> tryAcquire() {
            return locks.tryAcquire();
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return locks.inspect(name);
        }

        @Override
        public List<LockInfo> list(String prefix) {
            return locks.list(prefix);
        }

        @Override
        public boolean forceRelease(String name) {
            return locks.forceRelease(name);
        }

        @Override
        public String describe() {
            return "recording " + locks.describe();
        }

        @Override
        public void close() {
            locks.close();
        }
    }
}
