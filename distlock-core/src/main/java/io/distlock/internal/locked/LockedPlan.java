package io.distlock.internal.locked;

import io.distlock.LockConflictException;
import io.distlock.LockOptions;
import io.distlock.Locked;
import io.distlock.internal.CallerNames;
import io.distlock.internal.Validation;
import io.distlock.spi.Durations;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Locked} method's lock, read from the annotation once: its name (fixed, or a template
 * over the arguments) and its options. The only reader of {@code @Locked}: the JDK proxy of
 * {@code LockManager.proxy} and the Spring starter's advisor both execute this plan, so contract
 * 2.3's names and the attributes' grammar cannot differ between the two. Finding the annotation
 * (a class hierarchy, Spring's merged annotations) and what a framework adds around the call
 * (a {@code @Scheduled} tick skipped on a busy lock) stay with each caller.
 *
 * <p>This package is exported to the starter's module only ({@code io.distlock.spring}), not to
 * applications: it is not API, and may change in any release.
 */
public final class LockedPlan {
    private static final Logger LOG = LoggerFactory.getLogger(LockedPlan.class);

    /** Parameter names as javac wrote them ({@code -parameters}); null when they were not compiled in. */
    public static final Function<Method, String[]> COMPILED_NAMES = LockedPlan::compiledNames;

    private final Method method;
    private final String fixedName;
    /** Literal parts and argument indexes, alternating, when the name is a template. */
    private final List<Object> template;
    private final LockOptions options;

    private LockedPlan(Method method, String fixedName, List<Object> template, LockOptions options) {
        this.method = method;
        this.fixedName = fixedName;
        this.template = template;
        this.options = options;
    }

    /**
     * Reads {@code locked}, found on {@code method}, whose calls go to an instance of {@code target}.
     *
     * @param parameterNames the method's parameter names for {@code {name}} templates, or null
     *                       when unknown (the starter passes Spring's discoverer, which also reads
     *                       Kotlin's)
     * @throws IllegalArgumentException naming the method and the bad value
     */
    public static LockedPlan of(Locked locked, Method method, Class<?> target,
                                Function<Method, String[]> parameterNames) {
        LockOptions.Builder options = LockOptions.builder();
        if (!locked.lease().isEmpty()) {
            options.lease(duration("lease", locked.lease(), method, Durations::parsePositive));
        }
        Duration waitTime = waitTime(locked, method);
        if (waitTime != null) {
            options.waitTime(waitTime);
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
            return new LockedPlan(method, checkedName(defaultName(target, method), method), null, built);
        }
        List<Object> template = parse(locked.value(), method, parameterNames.apply(method));
        if (template.size() == 1 && template.get(0) instanceof String fixed) {
            return new LockedPlan(method, checkedName(fixed, method), null, built);
        }
        return new LockedPlan(method, null, List.copyOf(template), built);
    }

    @SuppressWarnings("removal")
    private static Duration waitTime(Locked locked, Method method) {
        return waitTime("@Locked", method, locked.waitTime(), locked.timeout());
    }

    /**
     * An annotation's wait, given under its name {@code waitTime} or its old name {@code timeout}
     * (a warning per method), or null if neither is set; both with different durations are refused.
     * The starter's {@code @DistributedLock} shares this rule with {@code @Locked}.
     *
     * @throws IllegalArgumentException naming the annotation, the method and both values
     */
    public static Duration waitTime(String annotation, Method method, String waitTime, String timeout) {
        Duration current = waitTime.isEmpty() ? null
                : duration(annotation, "waitTime", waitTime, method, Durations::parseWait);
        if (timeout.isEmpty()) {
            return current;
        }
        Duration old = duration(annotation, "timeout", timeout, method, Durations::parseWait);
        if (current != null && !current.equals(old)) {
            throw new IllegalArgumentException(annotation + " on " + method + " sets waitTime = \"" + waitTime
                    + "\" and its old name timeout = \"" + timeout + "\"; keep waitTime alone");
        }
        LOG.warn("{} on {} sets timeout, the old name of waitTime; it is read until 0.2", annotation, method);
        return old;
    }

    /** The lock's name for one call with these arguments. */
    public String name(Object[] args) {
        if (template == null) {
            return fixedName;
        }
        StringBuilder name = new StringBuilder();
        for (Object part : template) {
            name.append(part instanceof Integer index ? String.valueOf(args[index]) : part);
        }
        return Validation.name(name.toString());
    }

    /** The options of every call; a wait or lease left empty in the annotation is left unset here. */
    public LockOptions options() {
        return options;
    }

    /** The annotated method the plan was read from. */
    public Method method() {
        return method;
    }

    /**
     * Contract 2.3's name of a method-level lock without a name: {@code Service.method}, the service
     * found by the calling-service rule from {@code target} (a CGLIB or ByteBuddy subclass, an
     * anonymous class or a JDK proxy stands for the named class it stands for), with
     * {@code (String,int)} appended when the service overloads the method.
     */
    public static String defaultName(Class<?> target, Method method) {
        Class<?> service = CallerNames.serviceOf(target);
        String base = service.getName() + "." + method.getName();
        long sameName = Arrays.stream(service.getMethods()).filter(m -> m.getName().equals(method.getName())).count();
        if (sameName <= 1) {
            return base;
        }
        return base + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    /** A name that can never be locked fails when the plan is made, not at the first call. */
    private static String checkedName(String name, Method method) {
        try {
            return Validation.name(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@Locked on " + method + ": " + e.getMessage(), e);
        }
    }

    private static String[] compiledNames(Method method) {
        Parameter[] parameters = method.getParameters();
        if (parameters.length > 0 && !parameters[0].isNamePresent()) {
            return null;
        }
        return Arrays.stream(parameters).map(Parameter::getName).toArray(String[]::new);
    }

    /** {@code {0}}, {@code {param}}, and {@code {{}} / {@code }}} for literal braces. */
    private static List<Object> parse(String pattern, Method method, String[] names) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
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
                if (!literal.isEmpty()) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                parts.add(argumentIndex(pattern.substring(i + 1, close), names, pattern, method));
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

    private static int argumentIndex(String reference, String[] names, String pattern, Method method) {
        if (reference.matches("\\d+")) {
            int index = Integer.parseInt(reference);
            if (index >= method.getParameterCount()) {
                throw bad(pattern, method, "refers to argument {" + index + "}, but the method takes "
                        + method.getParameterCount());
            }
            return index;
        }
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (reference.equals(names[i])) {
                    return i;
                }
            }
        }
        throw bad(pattern, method, "refers to parameter {" + reference + "}, which " + (names != null
                ? "the method does not have" : "cannot be found: compile with javac -parameters, or write {0}, {1}, ..."));
    }

    private static IllegalArgumentException bad(String pattern, Method method, String problem) {
        return new IllegalArgumentException("@Locked name '" + pattern + "' on " + method + " " + problem);
    }

    private static Duration duration(String what, String value, Method method, Function<String, Duration> parser) {
        return duration("@Locked", what, value, method, parser);
    }

    private static Duration duration(String annotation, String what, String value, Method method,
                                     Function<String, Duration> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(annotation + " " + what + " '" + value + "' on " + method
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
