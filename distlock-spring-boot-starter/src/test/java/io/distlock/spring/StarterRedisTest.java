package io.distlock.spring;

import java.util.Map;
import io.distlock.LockManager;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import io.lettuce.core.RedisClient;
import io.netty.util.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter on a private redis-server: the URI is all it takes to change backends. */
class StarterRedisTest {
    /** The first connection loads Netty, slow on a loaded machine. */
    static final Map<String, String> GENEROUS_TIMEOUTS = TestBackend.parameters("connectTimeout", "30s", "timeout", "30s");
    private static ServerProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = TestBackend.REDIS.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                // Generous Redis timeouts: the first connection loads Netty, slow on a loaded machine.
                .withPropertyValues("distlock.uri=" + TestBackend.REDIS.uri(redis, GENEROUS_TIMEOUTS),
                        "distlock.namespace=starter-test", "accounts.prefix=acct");
    }

    /**
     * An application on Spring Boot gets Boot's Lettuce and Netty, not the Lettuce distlock-redis
     * declares; these tests run on the same (the pom imports Boot's BOM first), which this checks.
     */
    @Test
    void runsOnTheLettuceAndNettyOfTheBootLine() {
        String lettuce = RedisClient.class.getPackage().getImplementationVersion();
        assertThat(lettuce).as("Lettuce on the class path")
                .startsWith(System.getProperty("distlock.test.bootLettuceVersion") + "/");
        Set<String> netty = Version.identify().values().stream().map(Version::artifactVersion)
                .collect(Collectors.toSet());
        assertThat(netty).as("versions of the Netty jars on the class path").hasSize(1);
    }

    @Test
    void spelKeysExcludePerKeyOnRedis() {
        runner().withBean(Accounts.class).run(context -> {
            LockManager locks = context.getBean(LockManager.class);
            assertThat(locks.describe()).startsWith("redis://").contains(String.valueOf(redis.port()));
            Accounts accounts = context.getBean(Accounts.class);
            Exclusion.check(accounts, locks, "account:",
                    (id, entered, proceed) -> accounts.post(new Accounts.Account(id), entered, proceed));
        });
    }
}
