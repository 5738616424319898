package io.distlock.spi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hostile URIs: every secret below contains {@code PW} and nothing else does, so a masked form
 * holding {@code PW} shows (part of) a secret.
 */
class SecretsTest {

    static Stream<Arguments> hostileUris() {
        return Stream.of(
                // user info holding the characters a URI parser ends the authority at, or '@' and ':'
                Arguments.of("redis://:PWa#PWb@127.0.0.1:1", "redis://***@127.0.0.1:1"),
                Arguments.of("redis://:PWa/PWb@127.0.0.1:1", "redis://***@127.0.0.1:1"),
                Arguments.of("redis://:PWa?PWb@127.0.0.1:1", "redis://***@127.0.0.1:1"),
                Arguments.of("redis://:PWa@PWb@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
                Arguments.of("redis://:PWa:PWb@127.0.0.1:1", "redis://:***@127.0.0.1:1"),
                Arguments.of("redis://PWa@127.0.0.1:1", "redis://***@127.0.0.1:1"),
                Arguments.of("redis://user:PWa@h:1/0?timeout=2s", "redis://user:***@h:1/0?timeout=2s"),
                Arguments.of("redis://user:PWa#PWb@h:1/0?timeout=2s", "redis://***@h:1/0?timeout=2s"),
                Arguments.of("redis://user:PWa/PWb?PWc#PWd@h:1", "redis://***@h:1"),
                Arguments.of("redis://us@er:PWa#PWb@h:1", "redis://***@h:1"),
                Arguments.of("redis://:PWa?x=PWb@h:1", "redis://***@h:1"),
                Arguments.of("redis-sentinel://PWa@h1:26379,h2:26379?sentinelMasterId=m",
                        "redis-sentinel://***@h1:26379,h2:26379?sentinelMasterId=m"),
                Arguments.of("jdbc:postgresql://u:PWa/PWb@h/db", "jdbc:postgresql://***@h/db"),
                // parameters: encoded names, names containing the secret words, ';' in values
                Arguments.of("jdbc:postgresql://h/db?pass%77ord=PWa", "jdbc:postgresql://h/db?pass%77ord=***"),
                Arguments.of("jdbc:postgresql://h/db?%70assword=PWa&x=1", "jdbc:postgresql://h/db?%70assword=***&x=1"),
                Arguments.of("jdbc:postgresql://h/db?password=pa;PWa", "jdbc:postgresql://h/db?password=***"),
                Arguments.of("jdbc:postgresql://h/db?password=PWa;ss&user=u", "jdbc:postgresql://h/db?password=***&user=u"),
                Arguments.of("jdbc:mariadb://h/db?keyPassword=PWa&sslMode=verify-full",
                        "jdbc:mariadb://h/db?keyPassword=***&sslMode=verify-full"),
                Arguments.of("jdbc:mariadb://h/db?trustStorePassword=PWa", "jdbc:mariadb://h/db?trustStorePassword=***"),
                Arguments.of("jdbc:postgresql://h/db?sslkey=PWa&sslpassword=PWb",
                        "jdbc:postgresql://h/db?sslkey=***&sslpassword=***"),
                Arguments.of("x://h?apiToken=PWa&SECRET=PWb&Pwd=PWc&credentials=PWd",
                        "x://h?apiToken=***&SECRET=***&Pwd=***&credentials=***"),
                Arguments.of("jdbc:postgresql://h/db?user=u&password=PWa#PWb", "jdbc:postgresql://h/db?user=u&password=***"),
                Arguments.of("jdbc:postgresql://h/db?password=PW%26a", "jdbc:postgresql://h/db?password=***"),
                // H2's and MariaDB's ';' settings
                Arguments.of("jdbc:h2:tcp://localhost/~/test;PASSWORD=PWa;USER=sa", "jdbc:h2:tcp://localhost/~/test;PASSWORD=***"),
                Arguments.of("jdbc:h2:mem:x;USER=sa;PASSWORD=PWa", "jdbc:h2:mem:x;USER=sa;PASSWORD=***"),
                Arguments.of("jdbc:h2:mem:x;user=sa;password=PWa&distlock.timeout=2s",
                        "jdbc:h2:mem:x;user=sa;password=***&distlock.timeout=2s"),
                // one rule's secret holding what the other rule looks for
                Arguments.of("jdbc:postgresql://h/db?password=PWa@PWb", "jdbc:postgresql://***"),
                Arguments.of("jdbc:postgresql://h/db?user=u&password=PWa@PWb&x=1", "jdbc:postgresql://***&x=1"),
                Arguments.of("redis://u:PWa?token=PWb@h:1", "redis://***"),
                Arguments.of("redis://u:PWa&password=PWb@h:1", "redis://u:***"),
                Arguments.of("redis://:@h:1", "redis://:***@h:1"),
                // a user name with '@' in a query: over-masked, never under-masked
                Arguments.of("jdbc:postgresql://u:PWa@h/db?user=me@corp", "jdbc:postgresql://***@corp"),
                // nothing secret: unchanged
                Arguments.of("jdbc:postgresql://h:5432/db?user=me&sslmode=verify-full",
                        "jdbc:postgresql://h:5432/db?user=me&sslmode=verify-full"),
                Arguments.of("file:/var/lib/locks", "file:/var/lib/locks"),
                Arguments.of("memcached://h1:11211,h2:11211?timeout=1s", "memcached://h1:11211,h2:11211?timeout=1s"));
    }

    @ParameterizedTest
    @MethodSource("hostileUris")
    void masksEveryPartOfEverySecret(String uri, String masked) {
        assertThat(Secrets.mask(uri)).doesNotContain("PW").isEqualTo(masked);
    }

    @ParameterizedTest
    @MethodSource("hostileUris")
    void masksUrisInsideFreeText(String uri, String masked) {
        String message = "could not connect to '" + uri + "': refused\n\tat x.Y(Y.java:1) via " + uri + " (again)";
        assertThat(Secrets.maskText(message, List.of()))
                .isEqualTo("could not connect to '" + masked + "': refused\n\tat x.Y(Y.java:1) via " + masked + " (again)");
    }

    @ParameterizedTest
    @MethodSource("hostileUris")
    void knowsTheSecretValuesOfAUri(String uri, String masked) {
        Set<String> values = Secrets.valuesIn(uri);
        String shown = Secrets.maskText("driver said: " + uri.replace("%26", "&") + " and " + String.join(" ", values),
                values);
        assertThat(shown).doesNotContain("PW");
    }

    @Test
    void masksKnownSecretValuesWhereverADriverQuotesThem() {
        String message = "FATAL: auth failed for {user=sa, password=hunter2} (using hunter2;x) at 'hunter2'";
        assertEquals("FATAL: auth failed for {user=sa, password=*** (using ***;x) at '***'",
                Secrets.maskText(message, List.of("hunter2")));
        assertThat(Secrets.maskText("token is s3cr#et!", Set.of("s3cr#et"))).isEqualTo("token is ***!");
        assertThat(Secrets.maskText("[check the password (URI, password= or a variable)]", List.of()))
                .isEqualTo("[check the password (URI, password= or a variable)]");
    }

    @Test
    void anH2PasswordEndsAtTheNextSemicolonForItsDriver() {
        Set<String> values = Secrets.valuesIn("jdbc:h2:mem:x;PASSWORD=PWa;INIT=SELECT 1?distlock.timeout=2s");
        assertThat(values).contains("PWa");
        assertThat(Secrets.maskText("Syntax error in SQL statement \"SELECT 'PWa'\"", values)).doesNotContain("PW");
    }

    @Test
    void readsSecretNamesDecodedAndWithoutCase() {
        for (String name : List.of("password", "PASSWORD", "keyPassword", "trustStorePassword", "sslkey", "apiToken",
                "client_secret", "pwd", "DISTLOCK_REDIS_PASSWORD")) {
            assertThat(Secrets.isSecretName(name)).as(name).isTrue();
        }
        for (String name : List.of("user", "sslmode", "timeout", "namespace", "distlock.table")) {
            assertThat(Secrets.isSecretName(name)).as(name).isFalse();
        }
    }

    @Test
    void aUriWhoseUserInfoWouldBeMisreadIsRefusedWithoutEchoingIt() {
        for (String uri : List.of("redis://:s3cr#et@127.0.0.1:1", "redis://:s3cr/et@127.0.0.1:1",
                "redis://:s3cr?et@127.0.0.1:1", "redis://s3cr#et@127.0.0.1:1", "redis://:s3cr?a=b@127.0.0.1:1",
                "postgresql://:s3cr/et@h/db",
                // Redis reads a user info without a colon as the password: its host part looks well formed,
                // and read on it would name "a" or "timeout" (part of the password) as a parameter
                "redis://s3cr?a=b@127.0.0.1:1", "redis://s3cr?timeout=et@127.0.0.1:1", "redis://s3cr?a@127.0.0.1:1")) {
            assertThatThrownBy(() -> BackendUri.parse(uri, Set.of("redis", "postgresql")).requireOnly(Set.of("timeout")))
                    .as(uri)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percent-encode")
                    .message().doesNotContain("s3cr").doesNotContain("et@").doesNotContain("'a'")
                    .doesNotContain("timeout");
        }
    }

    @Test
    void aPercentEncodedUserInfoIsReadExactly() {
        BackendUri uri = BackendUri.parse("redis://:s3cr%23et%2F%3F%40@127.0.0.1:1", Set.of("redis"));
        assertThat(uri.password()).isEqualTo("s3cr#et/?@");
        assertThat(uri.hosts()).containsExactly("127.0.0.1:1");
        assertThat(uri.masked()).isEqualTo("redis://:***@127.0.0.1:1");
    }

    @Test
    void anAtInAQueryValueStillReadsWhenTheHostIsWellFormed() {
        BackendUri uri = BackendUri.parse("postgresql://h:5432/db?user=me@corp", Set.of("postgresql"));
        assertThat(uri.hosts()).containsExactly("h:5432");
        assertThat(uri.parameters()).containsEntry("user", "me@corp");
    }
}
