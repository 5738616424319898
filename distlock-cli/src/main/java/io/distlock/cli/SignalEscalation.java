package io.distlock.cli;

import org.jspecify.annotations.Nullable;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT, SIGTERM and SIGHUP for {@code run}: the first does what the JVM does with it (exit with
 * 128+N, which runs the shutdown hook that stops CMD and releases the lock); each later one calls
 * {@link Target#again}, which kills CMD. The JVM's own handler cannot do that: while the shutdown
 * hook waits for a CMD that traps SIGTERM, a second signal's handler only blocks on the shutdown
 * already under way, so three Ctrl-C presses did nothing.
 *
 * <p>Java has no public API for signals; {@code sun.misc.Signal} (module {@code jdk.unsupported},
 * there for this purpose) is reached reflectively, because javac's warning for it cannot be
 * suppressed. A signal the JVM does not handle (ignored when distlock started, as in a background
 * job of a script, or {@code -Xrs}) is left as it was. {@link #close()} puts back the handlers it
 * replaced.
 */
final class SignalEscalation implements AutoCloseable {
    private static final String[] NAMES = {"INT", "TERM", "HUP"};

    /** What to do on each signal. */
    interface Target {
        /**
         * The first signal, just before the JVM starts exiting with 128 + its number: only note
         * it (the shutdown hook acts on it). Anything slow here widens the window in which the
         * main thread, seeing CMD end, exits with CMD's status before the signal's exit begins.
         */
        void first(String signal);

        /** Every later signal, while the shutdown (and the stop of CMD) is under way. */
        void again(String signal);
    }

    private final Target target;
    private final AtomicInteger received = new AtomicInteger();
    /** 128 + the first signal's number, once one has arrived; 0 before. */
    private volatile int firstStatus;
    private final List<Object[]> replaced = new ArrayList<>();
    private @Nullable Method handle;

    private SignalEscalation(Target target) {
        this.target = target;
    }

    /** Installs the handlers; where the JVM offers no way to, the JVM's behaviour stays (no escalation). */
    static SignalEscalation install(Target target) {
        SignalEscalation escalation = new SignalEscalation(target);
        try {
            escalation.installHandlers();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
            escalation.close();
        }
        return escalation;
    }

    private void installHandlers() throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        handle = signalClass.getMethod("handle", signalClass, handlerClass);
        Object ignore = handlerClass.getField("SIG_IGN").get(null);
        Object defaults = handlerClass.getField("SIG_DFL").get(null);
        Method getNumber = signalClass.getMethod("getNumber");
        Dispatch dispatch = new Dispatch(this);
        Object ours = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, dispatch);
        for (String name : NAMES) {
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            // The handler is called with this very object: its name and number are looked up, not asked for.
            dispatch.signals.put(signal, new Object[] {name, getNumber.invoke(signal)});
            Object previous;
            try {
                previous = handle.invoke(null, signal, ours);
            } catch (java.lang.reflect.InvocationTargetException usedByTheVm) {
                continue; // -Xrs or the like: the JVM keeps its own way with it
            }
            if (previous == ignore || previous == defaults) {
                // Ignored at start (a background job of a script): it stays as it was.
                handle.invoke(null, signal, previous);
            } else {
                replaced.add(new Object[] {signal, previous});
            }
        }
    }

    /**
     * 128 + the first signal's number once one has arrived, which is then the run's exit status
     * whatever CMD's: the JVM's exit on the signal and the main thread's exit after CMD ended
     * race, and both must say the same.
     */
    OptionalInt statusOfFirstSignal() {
        int status = firstStatus;
        return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }

    private void received(String name, int number) {
        if (received.incrementAndGet() == 1) {
            firstStatus = 128 + number;
            try {
                target.first(name);
            } finally {
                Runtime.getRuntime().exit(128 + number);
            }
        } else {
            target.again(name);
        }
    }

    // Handlers are replaced only through handle, so replaced is empty while handle is null.
    @Override
    @SuppressWarnings("NullAway")
    public void close() {
        for (Object[] signalAndHandler : replaced) {
            try {
                handle.invoke(null, signalAndHandler[0], signalAndHandler[1]);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // It was installed a moment ago; if it cannot be put back, the process is ending anyway.
            }
        }
        replaced.clear();
    }

    /** The {@code sun.misc.SignalHandler}: each signal arrives on a thread of its own. */
    private static final class Dispatch implements InvocationHandler {
        private final SignalEscalation escalation;
        /** Each {@code sun.misc.Signal} installed, with its name and number. */
        final Map<Object, Object[]> signals = new ConcurrentHashMap<>();

        Dispatch(SignalEscalation escalation) {
            this.escalation = escalation;
        }

        @Override
        public @Nullable Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "handle":
                    Object[] nameAndNumber = signals.get(args[0]);
                    if (nameAndNumber != null) {
                        escalation.received((String) nameAndNumber[0], (Integer) nameAndNumber[1]);
                    }
                    return null;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    return "distlock's signal handler";
            }
        }
    }
}
