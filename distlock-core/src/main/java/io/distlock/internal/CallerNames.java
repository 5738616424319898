package io.distlock.internal;

import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Contract 2.3: the one rule for the name of "the calling service", shared by {@code acquire()}
 * and {@code @Locked}. A service is a named class, the same on every JVM: code in a lambda or
 * method reference belongs to the class that wrote it; an anonymous or local class stands for the
 * class around it; a generated subclass (Spring CGLIB, ByteBuddy, Hibernate, anything with
 * {@code $$} in its name) stands for the class it extends; a JDK proxy for its first interface.
 */
public final class CallerNames {
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final String INTERNAL = CallerNames.class.getPackageName() + ".";

    private CallerNames() {
    }

    /**
     * The service name of the first caller outside the engine and outside {@code managerTypes}, the
     * API's own classes that call this on a caller's behalf. The API passes them in, so that this
     * class, which the API uses, never refers back to the API (docs/architecture.md, rule 6).
     */
    public static String callingService(Set<Class<?>> managerTypes) {
        Class<?> caller = STACK.walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> !managerTypes.contains(type) && !type.getName().startsWith(INTERNAL))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no caller outside the lock manager")));
        return serviceOf(caller).getName();
    }

    /** The named class that {@code type} stands for, by the rule above. */
    public static Class<?> serviceOf(Class<?> type) {
        Class<?> current = type;
        while (true) {
            if (Proxy.isProxyClass(current)) {
                Class<?>[] interfaces = current.getInterfaces();
                return interfaces.length > 0 ? interfaces[0] : Object.class;
            }
            if (current.isAnonymousClass() || current.isLocalClass()) {
                Class<?> enclosing = current.getEnclosingClass();
                if (enclosing == null) {
                    return current;
                }
                current = enclosing;
            } else if (isGenerated(current) && current.getSuperclass() != null && current.getSuperclass() != Object.class) {
                current = current.getSuperclass();
            } else {
                return current;
            }
        }
    }

    private static boolean isGenerated(Class<?> type) {
        String name = type.getName();
        return name.contains("$$") || name.contains("$ByteBuddy$") || name.contains("$HibernateProxy$") || type.isSynthetic();
    }
}
