/**
 * distlock's contract as a JUnit 5 suite ({@code io.distlock.testkit}) and the private server
 * processes the backends' tests run against ({@code io.distlock.testkit.server}). A backend's tests
 * implement the suite's interfaces, whose signatures are distlock's and JUnit's types.
 */
module io.distlock.testkit {
    requires transitive io.distlock;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    // The PostgreSQL and MariaDB fixtures check readiness over JDBC; the test brings the driver.
    requires java.sql;

    exports io.distlock.testkit;
    exports io.distlock.testkit.server;
}
