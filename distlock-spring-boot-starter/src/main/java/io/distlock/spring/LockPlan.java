package io.distlock.spring;

import io.distlock.LockConflictException;
import io.distlock.LockOptions;
import io.distlock.Locked;
import io.distlock.spi.Durations;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.Schedules;
import org.springframework.util.ClassUtils;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One annotated method's lock, worked out and checked once, when its bean is proxied: the name
 * (fixed, a core {@code {0}}/{@code {param}} template, or a SpEL expression), the options, the
 * minimum hold, and whether a busy lock skips the call (a {@code @Scheduled} job's tick).
 */
final class LockPlan {
    /**
     * MIXED: a key is interpreted at first and compiled to bytecode once it has run a few times
     * (falling back to interpretation if a call does not fit the compiled form), so a hot locked
     * method does not pay the interpreter on every call.
     */
    private static final SpelExpressionParser PARSER = new SpelExpressionParser(
            new SpelParserConfiguration(SpelCompilerMode.MIXED, LockPlan.class.getClassLoader()));
    private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

    final Method method;
    final LockOptions options;
    /** Null: release when the method returns. */
    final Duration minHold;
    /** A {@code @Scheduled} method: a busy lock (or a wait that runs out) skips this call. */
    final boolean skipWhenBusy;
    /** Try once (the scheduled default), rather than waiting. */
    final boolean tryOnce;
    private final String fixedName;
    private final List<Object> template;
    private final Expression expression;
    private final BeanFactory beans;

    private LockPlan(Method method, LockOptions options, Duration minHold, boolean skipWhenBusy, boolean tryOnce,
                     String fixedName, List<Object> template, Expression expression, BeanFactory beans) {
        this.method = method;
        this.options = options;
        this.minHold = minHold;
        this.skipWhenBusy = skipWhenBusy;
        this.tryOnce = tryOnce;
        this.fixedName = fixedName;
        this.template = template;
        this.expression = expression;
        this.beans = beans;
    }

    static boolean annotated(Method method) {
        return AnnotatedElementUtils.hasAnnotation(method, DistributedLock.class)
                || AnnotatedElementUtils.hasAnnotation(method, Locked.class);
    }

    /**
     * The plan of {@code method} (the most specific one, on the user's class), or null if it
     * carries neither annotation.
     *
     * @throws IllegalArgumentException naming the method and the bad value
     */
    static LockPlan of(Method method, Class<?> targetClass, Environment environment, BeanFactory beans) {
        DistributedLock spring = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class);
        Locked core = AnnotatedElementUtils.findMergedAnnotation(method, Locked.class);
        if (spring != null && core != null) {
            throw new IllegalArgumentException(method + " carries both @Locked and @DistributedLock; keep one");
        }
        if (spring == null && core == null) {
            return null;
        }
        boolean scheduled = AnnotatedElementUtils.hasAnnotation(method, Scheduled.class)
                || AnnotatedElementUtils.hasAnnotation(method, Schedules.class);
        Class<?> service = ClassUtils.getUserClass(targetClass == null ? method.getDeclaringClass() : targetClass);
        return spring != null ? ofSpring(spring, method, service, scheduled, environment, beans)
                : ofCore(core, method, service, scheduled);
    }

    private static LockPlan ofSpring(DistributedLock a, Method method, Class<?> service, boolean scheduled,
                                     Environment environment, BeanFactory beans) {
        LockOptions.Builder options = LockOptions.builder();
        String lease = resolve(environment, "lease", a.lease(), method);
        String wait = resolve(environment, "timeout", a.timeout(), method);
        String minHoldText = resolve(environment, "minHold", a.minHold(), method);
        if (!lease.isEmpty()) {
            options.lease(duration("lease", lease, method, Durations::parsePositive));
        }
        boolean tryOnce = false;
        if (!wait.isEmpty()) {
            options.timeout(duration("timeout", wait, method, Durations::parseWait));
        } else if (scheduled && !a.conflict()) {
            tryOnce = true;
        }
        options.autoRenew(a.autoRenew()).reentrant(a.reentrant());
        if (a.conflict()) {
            options.conflictMode();
        }
        Duration minHold = minHoldText.isEmpty() ? null : duration("minHold", minHoldText, method, Durations::parsePositive);
        if (minHold != null && a.autoRenew()) {
            throw new IllegalArgumentException("@DistributedLock on " + method + ": minHold and autoRenew together "
                    + "would renew the lock past its minimum hold; choose one");
        }
        LockOptions built = build(options, "@DistributedLock", method);
        String key = resolve(environment, "key", a.key(), method);
        if (key.isEmpty()) {
            return new LockPlan(method, built, minHold, scheduled && !a.conflict(), tryOnce,
                    defaultName(service, method), null, null, beans);
        }
        Expression expression;
        try {
            expression = PARSER.parseExpression(key);
        } catch (ParseException e) {
            throw new IllegalArgumentException("@DistributedLock key '" + key + "' on " + method
                    + " is not a SpEL expression: " + e.getMessage(), e);
        }
        checkVariables(expression, key, method);
        checkRootProperties(expression, key, method);
        return new LockPlan(method, built, minHold, scheduled && !a.conflict(), tryOnce, null, null, expression, beans);
    }

    private static LockPlan ofCore(Locked a, Method method, Class<?> service, boolean scheduled) {
        LockOptions.Builder options = LockOptions.builder();
        if (!a.lease().isEmpty()) {
            options.lease(duration("lease", a.lease(), method, Durations::parsePositive));
        }
        boolean tryOnce = false;
        if (!a.timeout().isEmpty()) {
            options.timeout(duration("timeout", a.timeout(), method, Durations::parseWait));
        } else if (scheduled && !a.conflict()) {
            tryOnce = true;
        }
        options.autoRenew(a.autoRenew()).reentrant(a.reentrant());
        if (a.conflict()) {
            if (a.conflictException() == LockConflictException.class) {
                options.conflictMode();
            } else {
                options.onConflict(conflictFactory(a.conflictException(), method));
            }
        } else if (a.conflictException() != LockConflictException.class) {
            throw new IllegalArgumentException("@Locked conflictException " + a.conflictException().getName()
                    + " on " + method + " needs conflict = true");
        }
        LockOptions built = build(options, "@Locked", method);
        if (a.value().isEmpty()) {
            return new LockPlan(method, built, null, scheduled && !a.conflict(), tryOnce,
                    defaultName(service, method), null, null, null);
        }
        List<Object> template = Templates.parse(a.value(), method);
        if (template.size() == 1 && template.get(0) instanceof String fixed) {
            return new LockPlan(method, built, null, scheduled && !a.conflict(), tryOnce, fixed, null, null, null);
        }
        return new LockPlan(method, built, null, scheduled && !a.conflict(), tryOnce, null, template, null, null);
    }

    /** The lock's name for one call. */
    String name(Object target, Object[] args) {
        if (fixedName != null) {
            return fixedName;
        }
        if (template != null) {
            StringBuilder name = new StringBuilder();
            for (Object part : template) {
                name.append(part instanceof Integer index ? String.valueOf(args[index]) : part);
            }
            return name.toString();
        }
        KeyRoot root = new KeyRoot(method, args, target);
        MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(root, method, args, PARAMETER_NAMES);
        if (beans != null) {
            context.setBeanResolver(new BeanFactoryResolver(beans));
        }
        Object value;
        try {
            value = expression.getValue(context);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("@DistributedLock key '" + expression.getExpressionString() + "' on "
                    + method + " failed for arguments " + Arrays.toString(args) + ": " + e.getMessage(), e);
        }
        if (value == null || value.toString().isEmpty()) {
            throw new IllegalArgumentException("@DistributedLock key '" + expression.getExpressionString() + "' on "
                    + method + " gave " + (value == null ? "null" : "an empty name") + " for arguments "
                    + Arrays.toString(args));
        }
        return value.toString();
    }

    /** What the key expression sees as {@code #root}. */
    public static final class KeyRoot {
        private final Method method;
        private final Object[] args;
        private final Object target;

        KeyRoot(Method method, Object[] args, Object target) {
            this.method = method;
            this.args = args;
            this.target = target;
        }

        public Method getMethod() {
            return method;
        }

        public String getMethodName() {
            return method.getName();
        }

        public Object[] getArgs() {
            return args;
        }

        public Object getTarget() {
            return target;
        }

        public Class<?> getTargetClass() {
            return ClassUtils.getUserClass(target);
        }
    }

    /** A {@code #name} the method has no parameter of would be null at every call: refuse it now. */
    private static void checkVariables(Expression expression, String key, Method method) {
        if (!(expression instanceof SpelExpression spel)) {
            return;
        }
        Set<String> known = new HashSet<>(List.of("root", "this"));
        String[] names = PARAMETER_NAMES.getParameterNames(method);
        for (int i = 0; i < method.getParameterCount(); i++) {
            known.add("p" + i);
            known.add("a" + i);
            if (names != null) {
                known.add(names[i]);
            }
        }
        List<String> unknown = new ArrayList<>();
        collectVariables(spel.getAST(), known, unknown);
        if (!unknown.isEmpty()) {
            String parameters = names == null ? "names not compiled in (use javac -parameters, or #p0, #p1, ...)"
                    : String.join(", ", names);
            throw new IllegalArgumentException("@DistributedLock key '" + key + "' on " + method + " refers to "
                    + String.join(", ", unknown) + ", which is not a parameter of the method (parameters: "
                    + (parameters.isEmpty() ? "none" : parameters) + ")");
        }
    }

    /** What {@link KeyRoot} offers a key as a bare name: anything else is a literal written without quotes. */
    private static final Set<String> ROOT_PROPERTIES = Set.of("method", "methodName", "args", "target", "targetClass");

    /**
     * A bare name in a key ({@code key = "report"}) reads a property of the root object, which fails at
     * every call; ShedLock's and Spring Integration's users write lock names that way, so it is refused
     * now, with the quoting that was meant.
     */
    private static void checkRootProperties(Expression expression, String key, Method method) {
        if (!(expression instanceof SpelExpression spel)) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        collectRootProperties(spel.getAST(), true, unknown);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("@DistributedLock key '" + key + "' on " + method + " reads "
                    + String.join(", ", unknown) + " as a property of the key's root object, which has none of that "
                    + "name (it has " + String.join(", ", new java.util.TreeSet<>(ROOT_PROPERTIES)) + "; arguments are "
                    + "#name or #p0): the key is SpEL, so a literal name must be quoted, as in key = \"'"
                    + unknown.get(0) + "'\"");
        }
    }

    private static void collectRootProperties(SpelNode node, boolean atHead, List<String> unknown) {
        if (node instanceof org.springframework.expression.spel.ast.PropertyOrFieldReference property) {
            if (atHead && !ROOT_PROPERTIES.contains(property.getName())) {
                unknown.add(property.getName());
            }
            return;
        }
        if (node instanceof org.springframework.expression.spel.ast.Selection
                || node instanceof org.springframework.expression.spel.ast.Projection) {
            // Their names are the elements' properties, not the root's.
            return;
        }
        boolean compound = node instanceof org.springframework.expression.spel.ast.CompoundExpression;
        for (int i = 0; i < node.getChildCount(); i++) {
            // In a.b.c only a is read from the root; in every other node each child starts afresh.
            collectRootProperties(node.getChild(i), !compound || i == 0, unknown);
        }
    }

    private static void collectVariables(SpelNode node, Set<String> known, List<String> unknown) {
        if (node instanceof VariableReference) {
            String text = node.toStringAST();
            String name = text.startsWith("#") ? text.substring(1) : text;
            if (!known.contains(name)) {
                unknown.add(text);
            }
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collectVariables(node.getChild(i), known, unknown);
        }
    }

    private static String resolve(Environment environment, String attribute, String value, Method method) {
        if (value.isEmpty() || environment == null) {
            return value;
        }
        try {
            return environment.resolveRequiredPlaceholders(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@DistributedLock " + attribute + " '" + value + "' on " + method + ": "
                    + e.getMessage(), e);
        }
    }

    private static LockOptions build(LockOptions.Builder options, String annotation, Method method) {
        try {
            return options.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(annotation + " on " + method + ": " + e.getMessage(), e);
        }
    }

    private static Duration duration(String what, String value, Method method, Function<String, Duration> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lock " + what + " '" + value + "' on " + method + " is not a duration: "
                    + e.getMessage(), e);
        }
    }

    /** {@code Service.method}, or {@code Service.method(String,int)} when the service overloads it (the core's rule). */
    static String defaultName(Class<?> service, Method method) {
        String base = service.getName() + "." + method.getName();
        long sameName = Arrays.stream(service.getMethods()).filter(m -> m.getName().equals(method.getName())).count();
        if (sameName <= 1) {
            return base;
        }
        return base + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    private static Function<String, RuntimeException> conflictFactory(Class<? extends RuntimeException> type, Method method) {
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

    /** The core annotation's name templates: {@code {0}}, {@code {param}}, {@code {{}} and {@code }}}. */
    static final class Templates {
        private Templates() {
        }

        static List<Object> parse(String pattern, Method method) {
            List<Object> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            String[] names = PARAMETER_NAMES.getParameterNames(method);
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
                    parts.add(index(pattern.substring(i + 1, close), names, pattern, method));
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

        private static int index(String reference, String[] names, String pattern, Method method) {
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
                    if (names[i].equals(reference)) {
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
    }
}
