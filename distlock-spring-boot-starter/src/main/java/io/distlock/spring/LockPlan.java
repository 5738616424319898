package io.distlock.spring;

import io.distlock.LockOptions;
import io.distlock.Locked;
import io.distlock.internal.locked.LockedPlan;
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

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One annotated method's lock, worked out and checked once, when its bean is proxied: the name
 * (a SpEL expression, or for {@code @Locked} core's {@link LockedPlan}), the options, the minimum
 * hold, and whether a busy lock skips the call (a {@code @Scheduled} job's tick).
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
    /** A {@code @Locked} method's name, core's. */
    private final LockedPlan core;
    private final Expression expression;
    private final BeanFactory beans;

    private LockPlan(Method method, LockOptions options, Duration minHold, boolean skipWhenBusy, boolean tryOnce,
                     String fixedName, LockedPlan core, Expression expression, BeanFactory beans) {
        this.method = method;
        this.options = options;
        this.minHold = minHold;
        this.skipWhenBusy = skipWhenBusy;
        this.tryOnce = tryOnce;
        this.fixedName = fixedName;
        this.core = core;
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
        Duration wait = waitTime(a, method, environment);
        String minHoldText = resolve(environment, "minHold", a.minHold(), method);
        if (!lease.isEmpty()) {
            options.lease(duration("lease", lease, method, Durations::parsePositive));
        }
        boolean tryOnce = false;
        if (wait != null) {
            options.waitTime(wait);
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
                    LockedPlan.defaultName(service, method), null, null, beans);
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

    /**
     * {@code @Locked} is read by core's {@link LockedPlan}, the same reader as
     * {@code LockManager.proxy}'s; only the {@code @Scheduled} behaviour is added here, and the
     * parameter names come from Spring's discoverer (which also reads Kotlin's).
     */
    private static LockPlan ofCore(Locked a, Method method, Class<?> service, boolean scheduled) {
        LockedPlan core = LockedPlan.of(a, method, service, PARAMETER_NAMES::getParameterNames);
        LockOptions options = core.options();
        boolean skipWhenBusy = scheduled && !options.conflictMode();
        return new LockPlan(method, options, null, skipWhenBusy, skipWhenBusy && options.waitTime().isEmpty(),
                null, core, null, null);
    }

    /** The lock's name for one call. */
    String name(Object target, Object[] args) {
        if (fixedName != null) {
            return fixedName;
        }
        if (core != null) {
            return core.name(args);
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

    @SuppressWarnings("removal")
    private static Duration waitTime(DistributedLock a, Method method, Environment environment) {
        return LockedPlan.waitTime("@DistributedLock", method, resolve(environment, "waitTime", a.waitTime(), method),
                resolve(environment, "timeout", a.timeout(), method));
    }

    private static Duration duration(String what, String value, Method method, Function<String, Duration> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lock " + what + " '" + value + "' on " + method + " is not a duration: "
                    + e.getMessage(), e);
        }
    }
}
