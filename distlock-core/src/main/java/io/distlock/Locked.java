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
    /** The lock's name; empty (the default) means {@code ImplementationClassName.methodName}. */
    String value() default "";

    /** The lease as an ISO-8601 duration ({@code "PT30S"}); empty uses the manager's default. */
    String lease() default "";

    /** The wait as an ISO-8601 duration; {@code "PT0S"} tries once, a negative one waits forever. */
    String timeout() default "";

    /** Renew the lease while the method runs. */
    boolean autoRenew() default false;
}
