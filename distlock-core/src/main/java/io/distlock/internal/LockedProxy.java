package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.Locked;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/** The {@link Locked} interception behind {@link LockManager#proxy}: a JDK proxy, no framework. */
public final class LockedProxy {
    private LockedProxy() {
    }

    public static <T> T create(LockManager locks, Class<T> type, T target) {
        if (type == null || !type.isInterface()) {
            throw new IllegalArgumentException("proxy type must be an interface but was " + type);
        }
        if (target == null) {
            throw new IllegalArgumentException("proxy target must not be null");
        }
        // Everything about each method is resolved and checked now, so a bad annotation fails here.
        Map<Method, Call> calls = new HashMap<>();
        for (Method method : type.getMethods()) {
            // A package-private interface (the common case for a service's own interface) needs
            // this to be callable from here. The proxy passes its own copy of each Method, and
            // accessibility belongs to a copy, so calls go through these copies (Method.equals
            // matches them). In a module that does not open its package to io.distlock this cannot
            // be done, and the proxy says so now rather than at the first call.
            if (!method.trySetAccessible()) {
                throw new IllegalArgumentException("cannot call " + method + " through a proxy: make "
                        + type.getName() + " public in an exported package, or open its package to io.distlock");
            }
            Locked locked = annotation(method, target.getClass());
            calls.put(method, new Call(method, locked == null ? null : Plan.of(locked, target.getClass(), method)));
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Call call = calls.get(method);
            if (call == null) {
                return invoke(method, target, args); // equals, hashCode, toString: public on Object
            }
            if (call.plan == null) {
                return invoke(call.method, target, args);
            }
            try (Lock ignored = locks.acquire(call.plan.name, call.plan.options)) {
                return invoke(call.method, target, args);
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private record Call(Method method, Plan plan) {
    }

    private static Locked annotation(Method method, Class<?> implementation) {
        try {
            Locked onImplementation = implementation.getMethod(method.getName(), method.getParameterTypes())
                    .getAnnotation(Locked.class);
            if (onImplementation != null) {
                return onImplementation;
            }
        } catch (NoSuchMethodException e) {
            // Not public on the implementation: only the interface's annotation counts.
        }
        return method.getAnnotation(Locked.class);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private record Plan(String name, LockOptions options) {
        static Plan of(Locked locked, Class<?> implementation, Method method) {
            String name = locked.value().isEmpty() ? implementation.getName() + "." + method.getName() : locked.value();
            Validation.name(name);
            LockOptions.Builder options = LockOptions.builder();
            if (!locked.lease().isEmpty()) {
                options.lease(parse("lease", locked.lease(), method));
            }
            if (!locked.timeout().isEmpty()) {
                options.timeout(parse("timeout", locked.timeout(), method));
            }
            if (locked.autoRenew()) {
                options.autoRenew(true);
            }
            return new Plan(name, options.build());
        }

        private static Duration parse(String what, String value, Method method) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("@Locked " + what + " '" + value + "' on " + method
                        + " is not an ISO-8601 duration such as PT30S", e);
            }
        }
    }
}
