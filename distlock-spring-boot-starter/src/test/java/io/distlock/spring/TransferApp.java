package io.distlock.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * One application instance for {@link TransactionalAcrossJvmsTest}: threads that each add 1 to one
 * balance row many times, each addition a read-modify-write in a {@code @Transactional} method that
 * is also under {@code @DistributedLock}. Only if the lock wraps the transaction (taken before it
 * begins, released after it commits) does no addition read a balance another one has not committed
 * yet. Arguments: {@code enable} (the application has {@code @EnableTransactionManagement}) or
 * {@code auto} (Boot's transaction auto-configuration alone), the lock directory, the JDBC URL,
 * user, password, threads, additions per thread. Prints {@code done} when every addition returned.
 */
public final class TransferApp {
    private TransferApp() {
    }

    public static void main(String[] args) throws Exception {
        Class<?> configuration = args[0].equals("enable") ? Enabled.class : AutoConfigured.class;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(configuration)
                .web(WebApplicationType.NONE).logStartupInfo(false)
                .properties("distlock.uri=file:" + args[1], "spring.datasource.url=" + args[2],
                        "spring.datasource.username=" + args[3], "spring.datasource.password=" + args[4],
                        "spring.main.banner-mode=off", "management.endpoints.enabled-by-default=false")
                .run()) {
            Balance balance = context.getBean(Balance.class);
            int threads = Integer.parseInt(args[5]);
            int additions = Integer.parseInt(args[6]);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < additions; i++) {
                        balance.addOne();
                    }
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
            pool.shutdown();
            System.out.println("done");
            System.out.flush();
        }
    }

    /** The balance row: read, then write the value read plus one, in one transaction under one lock. */
    public static class Balance {
        private final JdbcTemplate jdbc;

        public Balance(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional
        @DistributedLock(key = "'balance'", waitTime = "60s")
        public void addOne() {
            Integer now = jdbc.queryForObject("SELECT amount FROM balance WHERE id = 1", Integer.class);
            jdbc.update("UPDATE balance SET amount = ? WHERE id = 1", now + 1);
        }
    }

    /** As most applications: every auto-configuration, and {@code @EnableTransactionManagement} of their own. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableTransactionManagement
    public static class Enabled {
        @Bean
        PlatformTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        Balance balance(DataSource dataSource) {
            return new Balance(new JdbcTemplate(dataSource));
        }
    }

    /** Boot's auto-configuration alone makes the transaction manager and enables transactions. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class AutoConfigured {
        @Bean
        Balance balance(DataSource dataSource) {
            return new Balance(new JdbcTemplate(dataSource));
        }
    }
}
