package io.distlock;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a method under a lock when it is called through {@link LockManager#proxy(Class, Object)}.
 * Put it on the interface method or on the implementing method.
 *
 * <pre>{@code
 * interface Billing { @Locked("billing-run") void run(); @Locked void close(String day); }
 * Billing billing = locks.proxy(Billing.class, new BillingService());
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Locked {
    /**
     * The lock's name. Empty (the default) means {@code ServiceClassName.methodName}, the service
     * class found by {@link LockManager#callingServiceName()}'s rule from the target's class, with
     * the parameter types appended ({@code Billing.close(String,int)}) when the class has overloads of
     * the method, so overloads never share a lock by accident. A name may be built from the
     * arguments, unimr.memcachedlock's {@code get_key}: {@code {0}} is the first argument,
     * {@code {account}} the argument of that parameter name (needs {@code javac -parameters}), each
     * written with {@code String.valueOf}, so {@code "account:{0}"} names the same lock on every JVM.
     * Write a literal brace as <code>&#123;&#123;</code> or <code>&#125;&#125;</code>.
     */
    String value() default "";

    /** The lease ({@code "30s"}, {@code "1m30s"}, ISO-8601 {@code "PT30S"}); empty uses the manager's default. */
    String lease() default "";

    /**
     * The wait ({@code "10s"}, {@code "0"} tries once, {@code "forever"}); empty uses the manager's
     * default. The contract's word is {@code wait}, which Java reserves for {@code Object.wait()}.
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

    /** Renew the lease while the method runs. */
    boolean autoRenew() default false;

    /** Reentrant mode (unimr.memcachedlock's {@code rlock}): the same thread may re-enter the lock. */
    boolean reentrant() default false;

    /**
     * Conflict mode (unimr.memcachedlock's {@code zlock}): on a busy lock, do not wait; throw
     * {@link #conflictException()}.
     */
    boolean conflict() default false;

    /**
     * The exception conflict mode throws: {@link LockConflictException}, or a type of the caller's
     * with a public constructor taking the message ({@code String}).
     */
    Class<? extends RuntimeException> conflictException() default LockConflictException.class;
}
