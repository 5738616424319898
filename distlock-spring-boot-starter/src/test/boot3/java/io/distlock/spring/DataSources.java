package io.distlock.spring;

import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.sql.init.SqlInitializationAutoConfiguration;

/** Spring Boot 3's auto-configurations of the application's DataSource and of its SQL scripts. */
final class DataSources {
    static final Class<?>[] AUTO_CONFIGURATIONS = {DataSourceAutoConfiguration.class,
            SqlInitializationAutoConfiguration.class};

    private DataSources() {
    }
}
