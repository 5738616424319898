package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockConflictException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.Locked;
import io.distlock.spi.Durations;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

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
        Class<?> service = CallerNames.serviceOf(target.getClass());
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
            calls.put(method, new Call(method, locked == null ? null : Plan.of(locked, service, method)));
        }
        InvocationHandler handler = (proxy, method, args) -> {
            Call call = calls.get(method);
            if (call == null) {
                return objectMethod(proxy, target, method, args);
            }
            if (call.plan == null) {
                return invoke(call.method, target, args);
            }
            try (Lock ignored = locks.acquire(call.plan.name(args), call.plan.options)) {
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

    private record Call(Method method, Plan plan) {
    }

    /**
     * The annotation on the implementation's method (searched up its class hierarchy, so a
     * generated subclass such as Spring's CGLIB one, whose overrides carry no annotations, still
     * finds its superclass's), else on the interface's.
     */
    private static Locked annotation(Method method, Class<?> implementation) {
        for (Class<?> type = implementation; type != null && type != Object.class; type = type.getSuperclass()) {
            try {
                Locked found = type.getDeclaredMethod(method.getName(), method.getParameterTypes()).getAnnotation(Locked.class);
                if (found != null) {
                    return found;
                }
            } catch (NoSuchMethodException e) {
                // Declared further up, or only on the interface.
            }
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

    /** A method's lock: its name (fixed, or a template over the arguments) and its options. */
    private static final class Plan {
        private final String fixedName;
        /** Literal parts and argument indexes, alternating, when the name is a template. */
        private final List<Object> template;
        final LockOptions options;

        private Plan(String fixedName, List<Object> template, LockOptions options) {
            this.fixedName = fixedName;
            this.template = template;
            this.options = options;
        }

        String name(Object[] args) {
            if (template == null) {
                return fixedName;
            }
            StringBuilder name = new StringBuilder();
            for (Object part : template) {
                name.append(part instanceof Integer index ? String.valueOf(args[index]) : part);
            }
            return Validation.name(name.toString());
        }

        static Plan of(Locked locked, Class<?> service, Method method) {
            LockOptions.Builder options = LockOptions.builder();
            if (!locked.lease().isEmpty()) {
                options.lease(duration("lease", locked.lease(), method, Durations::parsePositive));
            }
            if (!locked.timeout().isEmpty()) {
                options.timeout(duration("timeout", locked.timeout(), method, Durations::parseWait));
            }
            options.autoRenew(locked.autoRenew()).reentrant(locked.reentrant());
            if (locked.conflict()) {
                if (locked.conflictException() == LockConflictException.class) {
                    options.conflictMode();
                } else {
                    options.onConflict(conflictFactory(locked.conflictException(), method));
                }
            } else if (locked.conflictException() != LockConflictException.class) {
                throw new IllegalArgumentException("@Locked conflictException " + locked.conflictException().getName()
                        + " on " + method + " needs conflict = true");
            }
            LockOptions built;
            try {
                built = options.build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@Locked on " + method + ": " + e.getMessage(), e);
            }
            if (locked.value().isEmpty()) {
                return new Plan(Validation.name(defaultName(service, method)), null, built);
            }
            List<Object> template = parse(locked.value(), method);
            if (template.size() == 1 && template.get(0) instanceof String fixed) {
                return new Plan(Validation.name(fixed), null, built);
            }
            return new Plan(null, template, built);
        }

        /** {@code Service.method}, or {@code Service.method(String,int)} when the service overloads it. */
        private static String defaultName(Class<?> service, Method method) {
            String base = service.getName() + "." + method.getName();
            long sameName = Arrays.stream(service.getMethods()).filter(m -> m.getName().equals(method.getName())).count();
            if (sameName <= 1) {
                return base;
            }
            return base + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                    .collect(Collectors.joining(",", "(", ")"));
        }

        private static List<Object> parse(String pattern, Method method) {
            List<Object> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            Parameter[] parameters = method.getParameters();
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if ((c == '{' || c == '}') && i + 1 < pattern.length() && pattern.charAt(i + 1) == c) {
                    literal.append(c);
                    i++;
                } else if (c == '{') {
                    int close = pattern.indexOf('}', i);
                    if (close < 0) {
                        throw bad(pattern, method, "has a '{' without its '}' (write a literal brace as {{)");
                    }
                    String reference = pattern.substring(i + 1, close);
                    if (!literal.isEmpty()) {
                        parts.add(literal.toString());
                        literal.setLength(0);
                    }
                    parts.add(argumentIndex(reference, parameters, pattern, method));
                    i = close;
                } else if (c == '}') {
                    throw bad(pattern, method, "has a '}' without its '{' (write a literal brace as }})");
                } else {
                    literal.append(c);
                }
            }
            if (!literal.isEmpty() || parts.isEmpty()) {
                parts.add(literal.toString());
            }
            return parts;
        }

        private static int argumentIndex(String reference, Parameter[] parameters, String pattern, Method method) {
            if (reference.matches("\\d+")) {
                int index = Integer.parseInt(reference);
                if (index >= parameters.length) {
                    throw bad(pattern, method, "refers to argument {" + index + "}, but the method takes "
                            + parameters.length);
                }
                return index;
            }
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i].isNamePresent() && parameters[i].getName().equals(reference)) {
                    return i;
                }
            }
            boolean named = parameters.length == 0 || parameters[0].isNamePresent();
            throw bad(pattern, method, "refers to parameter {" + reference + "}, which " + (named
                    ? "the method does not have" : "cannot be found: compile with javac -parameters, or write {0}, {1}, ..."));
        }

        private static IllegalArgumentException bad(String pattern, Method method, String problem) {
            return new IllegalArgumentException("@Locked name '" + pattern + "' on " + method + " " + problem);
        }

        private static java.time.Duration duration(String what, String value, Method method,
                                                   Function<String, java.time.Duration> parser) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@Locked " + what + " '" + value + "' on " + method
                        + " is not a duration: " + e.getMessage(), e);
            }
        }

        private static Function<String, RuntimeException> conflictFactory(Class<? extends RuntimeException> type,
                                                                           Method method) {
            Constructor<? extends RuntimeException> constructor;
            try {
                constructor = type.getConstructor(String.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("@Locked conflictException " + type.getName() + " on " + method
                        + " needs a public constructor taking the message (String)", e);
            }
            return name -> {
                try {
                    return constructor.newInstance("Lock '" + name + "' is busy (conflict mode, not waiting)");
                } catch (ReflectiveOperationException e) {
                    return new LockConflictException("Lock '" + name + "' is busy, and " + type.getName()
                            + " could not be made: " + e, name, null);
                }
            };
        }
    }
}
