package io.distlock.spring;

import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The health indicator on Boot 4 (its types are Boot-line specific; Boot 3's test is in the starter). */
class HealthTest {
    @TempDir
    Path dir;

    private static ApplicationContextRunner runner(String uri) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class, DistlockHealthConfiguration.class,
                        DistlockBoot4HealthConfiguration.class))
                .withPropertyValues("distlock.uri=" + uri, "distlock.health.timeout=3s");
    }

    @Test
    void upOnTheFileBackendNamingIt() {
        runner("file:" + dir).run(context -> {
            Health health = context.getBean(DistlockBoot4HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails().get("backend").toString()).contains(dir.toString());
        });
    }

    @Test
    void offWhenDisabled() {
        runner("file:" + dir).withPropertyValues("management.health.distlock.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DistlockBoot4HealthIndicator.class));
    }

    @Test
    void upWhileRedisAnswersAndDownWithinTheTimeoutWhenItDoesNot() {
        try (ServerProcess redis = TestBackend.REDIS.start()) {
            // Generous Redis timeouts (the first connection loads Netty, slow on a loaded machine):
            // the DOWN below comes from the health check's own 3 s.
            runner(TestBackend.REDIS.uri(redis, TestBackend.parameters("connectTimeout", "30s", "timeout", "30s"))).run(context -> {
                DistlockBoot4HealthIndicator indicator = context.getBean(DistlockBoot4HealthIndicator.class);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                redis.freeze();
                try {
                    Health down = indicator.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails().get("backend").toString()).startsWith("redis://");
                    assertThat(down.getDetails().get("error").toString()).contains("no answer within");
                } finally {
                    redis.thaw();
                }
            });
        }
    }
    /** Through Boot's own discovery of auto-configurations, as an application gets it: the one jar serves both lines. */
    @Test
    void foundByBootsAutoConfigurationDiscovery() {
        new ApplicationContextRunner().withUserConfiguration(Discovered.class)
                .withPropertyValues("distlock.uri=file:" + dir)
                .run(context -> assertThat(context.getBean("distlockHealthIndicator")).isInstanceOf(DistlockBoot4HealthIndicator.class));
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    static class Discovered {
    }
}
