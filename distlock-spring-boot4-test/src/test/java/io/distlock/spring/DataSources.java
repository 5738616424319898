package io.distlock.spring;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;

/** Spring Boot 4's auto-configurations of the application's DataSource and of its SQL scripts (spring-boot-jdbc). */
final class DataSources {
    static final Class<?>[] AUTO_CONFIGURATIONS = {DataSourceAutoConfiguration.class,
            DataSourceInitializationAutoConfiguration.class};

    private DataSources() {
    }
}
