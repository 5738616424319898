package io.distlock.spring;

import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotationUtils;

import io.distlock.Locked;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts {@link io.distlock.Locked} and {@link DistributedLock} methods of any bean under their lock,
 * with Spring AOP alone (no AspectJ weaver): a static pointcut that works out and checks each
 * method's {@link LockPlan} when the bean is proxied, so a bad annotation stops the context at
 * start-up, and a {@link LockedInterceptor} that runs calls under the plan.
 */
final class LockedAdvisor extends AbstractPointcutAdvisor implements DisposableBean {
    private static final long serialVersionUID = 1L;

    private final transient Plans plans;
    private final transient LockedInterceptor interceptor;
    private final transient Pointcut pointcut;

    LockedAdvisor(Plans plans, LockedInterceptor interceptor) {
        this.plans = plans;
        this.interceptor = interceptor;
        this.pointcut = new StaticMethodMatcherPointcut() {
            {
                setClassFilter(type -> AnnotationUtils.isCandidateClass(type, List.of(Locked.class, DistributedLock.class))
                        && plans.checkAll(type));
            }

            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return plans.get(method, targetClass) != null;
            }
        };
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }

    @Override
    public void destroy() {
        interceptor.close();
    }

    /** Each method's plan, found on the most specific method (the user's class, not a CGLIB subclass or an interface). */
    static final class Plans {
        private final Map<MethodClassKey, java.util.Optional<LockPlan>> plans = new ConcurrentHashMap<>();
        private final java.util.function.BiFunction<Method, Class<?>, LockPlan> factory;

        Plans(java.util.function.BiFunction<Method, Class<?>, LockPlan> factory) {
            this.factory = factory;
        }

        /**
         * Works out every annotated method's plan of {@code type} at once, so that a bad one fails
         * the bean's creation with its own message (checked lazily, it would surface inside CGLIB's
         * class generation, wrapped in a misleading "could not generate subclass").
         */
        boolean checkAll(Class<?> type) {
            for (Method method : org.springframework.util.ReflectionUtils.getUniqueDeclaredMethods(type,
                    org.springframework.util.ReflectionUtils.USER_DECLARED_METHODS)) {
                get(method, type);
            }
            return true;
        }

        @Nullable LockPlan get(Method method, Class<?> targetClass) {
            MethodClassKey key = new MethodClassKey(method, targetClass);
            java.util.Optional<LockPlan> known = plans.get(key);
            if (known != null) {
                return known.orElse(null);
            }
            Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
            LockPlan plan = LockPlan.annotated(specific) ? factory.apply(specific, targetClass)
                    : LockPlan.annotated(method) ? factory.apply(method, targetClass) : null;
            plans.put(key, java.util.Optional.ofNullable(plan));
            return plan;
        }
    }
}
