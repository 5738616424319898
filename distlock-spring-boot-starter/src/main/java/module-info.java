/**
 * distlock's Spring Boot starter: a {@code LockManager} from {@code distlock.*} properties, the
 * {@code @Locked} and {@code @DistributedLock} advice, metrics, health and the {@code distlocks}
 * endpoint. Its types hand out distlock's ({@code LockManager}, {@code LockOptions}), so
 * {@code io.distlock} comes with it. What an application may lack is {@code static}: the SQL
 * backend, metrics, the actuator (Boot 3's or Boot 4's health) and Spring Integration, each
 * configured only when present.
 */
// Spring publishes automatic module names only, and its types are in this module's API all the same.
@SuppressWarnings("requires-transitive-automatic")
module io.distlock.spring {
    requires transitive io.distlock;
    requires io.distlock.file;
    requires static io.distlock.jdbc;
    requires static io.distlock.micrometer;
    requires static micrometer.core;
    requires static java.sql;
    requires org.slf4j;

    requires transitive spring.boot;
    requires transitive spring.boot.autoconfigure;
    requires transitive spring.context;
    requires transitive spring.beans;
    requires transitive spring.core;
    requires transitive spring.aop;
    requires spring.expression;
    // Optional, and exposed where present: the health indicators, the endpoint and the lock registry.
    requires static transitive spring.boot.actuator;
    requires static transitive spring.boot.health;
    requires static transitive spring.integration.core;
    requires static spring.boot.actuator.autoconfigure;

    exports io.distlock.spring;
    // Spring reads the configuration classes and binds the properties by reflection.
    opens io.distlock.spring to spring.core, spring.beans, spring.context;
}
