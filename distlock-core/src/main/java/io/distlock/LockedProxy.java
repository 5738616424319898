package io.distlock;

import io.distlock.internal.locked.LockedPlan;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link Locked} interception behind {@link LockManager#proxy}: a JDK proxy, no framework. What
 * the annotation means is {@link LockedPlan}'s, shared with the Spring starter; this class only
 * finds the annotation and runs calls under the plan. It sits beside {@code LockManager}, whose
 * {@code proxy} it is, so the engine's package never needs to know the manager.
 */
final class LockedProxy {
    private LockedProxy() {
    }

    static <T> T create(LockManager locks, Class<T> type, T target) {
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
            Method annotated = annotated(method, target.getClass());
            calls.put(method, new Call(method, annotated == null ? null : LockedPlan.of(
                    annotated.getAnnotation(Locked.class), annotated, target.getClass(), LockedPlan.COMPILED_NAMES)));
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Call call = calls.get(method);
            if (call == null) {
                return objectMethod(proxy, target, method, args);
            }
            if (call.plan == null) {
                return invoke(call.method, target, args);
            }
            try (Lock ignored = locks.acquire(call.plan.name(args), call.plan.options())) {
                return invoke(call.method, target, args);
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** equals and hashCode are the proxy's own (a proxy equals itself); toString says what it wraps. */
    private static Object objectMethod(Object proxy, Object target, Method method, Object[] args) throws Throwable {
        return switch (method.getName()) {
            case "equals" -> args != null && args.length == 1 && args[0] == proxy;
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "@Locked proxy of " + target;
            default -> invoke(method, target, args);
        };
    }

    private record Call(Method method, LockedPlan plan) {
    }

    /**
     * The method that carries the annotation: the implementation's (searched up its class
     * hierarchy, so a generated subclass such as Spring's CGLIB one, whose overrides carry no
     * annotations, still finds its superclass's), else the interface's; null if neither does. The
     * plan is read from that method, so a bad annotation's message names where it is written, as
     * the Spring advisor's does.
     */
    private static Method annotated(Method method, Class<?> implementation) {
        for (Class<?> type = implementation; type != null && type != Object.class; type = type.getSuperclass()) {
            try {
                Method declared = type.getDeclaredMethod(method.getName(), method.getParameterTypes());
                if (declared.isAnnotationPresent(Locked.class)) {
                    return declared;
                }
            } catch (NoSuchMethodException e) {
                // Declared further up, or only on the interface.
            }
        }
        return method.isAnnotationPresent(Locked.class) ? method : null;
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
