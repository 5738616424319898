package io.distlock.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a Spring bean's method under a lock whose name is a SpEL expression over its arguments.
 * The starter's counterpart of the core {@link io.distlock.Locked} (whose names are {@code {0}} /
 * {@code {param}} templates); on a {@code @Scheduled} method it is the ShedLock case: one instance
 * runs each tick, the others skip it.
 *
 * <pre>{@code
 * @DistributedLock(key = "'account:' + #account.id", lease = "30s", waitTime = "5s")
 * public void post(Account account, long cents) { ... }
 *
 * @Scheduled(fixedRate = 60_000)
 * @DistributedLock(key = "'${spring.application.name}:report'", minHold = "30s")
 * public void report() { ... }
 * }</pre>
 *
 * <p>Every attribute may hold {@code ${...}} placeholders, resolved through the Spring
 * {@code Environment} when the bean is created; durations use distlock's grammar ({@code 500ms},
 * {@code 30s}, {@code 1m30s}, ISO-8601, {@code 0}; a wait also takes {@code forever}). A bad
 * expression, an unknown {@code #parameter}, an unresolvable placeholder or a bad duration stops
 * the application context at start-up, naming the method and the value.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DistributedLock {
    /**
     * The lock's name, a SpEL expression: {@code #name} (or {@code #p0}, {@code #a0}) is an
     * argument, {@code @bean} a bean, {@code #root.methodName} / {@code #root.targetClass} the
     * call. A literal name must be quoted: {@code "'nightly-report'"}. Empty: the class and method
     * name ({@code com.acme.Billing.close}), as for the core {@code @Locked}.
     */
    String key() default "";

    /** The lease; empty uses {@code distlock.lease}. */
    String lease() default "";

    /**
     * How long to wait for a busy lock ({@code 0} tries once, {@code forever}); empty uses
     * {@code distlock.wait}, except on a {@code @Scheduled} method, where empty means try once and
     * skip the tick when busy. Named as in the core {@code @Locked}: {@code wait()} is {@code Object}'s.
     */
    String waitTime() default "";

    /**
     * The wait, by its old name; given together with a different {@link #waitTime()}, the method is
     * refused naming both.
     *
     * @deprecated since 0.1.0, removed in 0.2: {@code timeout} is the word for one backend
     *     operation's bound; use {@link #waitTime()}.
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    String timeout() default "";

    /** Renew the lease while the method runs. Not with {@link #minHold()}. */
    boolean autoRenew() default false;

    /** The same thread may re-enter the lock. */
    boolean reentrant() default false;

    /** On a busy lock, do not wait: throw {@link io.distlock.LockConflictException} (also on a {@code @Scheduled} method). */
    boolean conflict() default false;

    /**
     * Keep the lock at least this long after it was acquired, even when the method returns sooner:
     * a fast {@code @Scheduled} job then cannot run again on another host whose clock, and so whose
     * tick, is a little behind. Empty: release when the method returns.
     */
    String minHold() default "";
}
