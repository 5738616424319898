package io.distlock.memcached;

import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.spi.BackendOptions;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.Stderr;
import io.distlock.testkit.server.MemcachedServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the servers come from, and the parameters. */
class MemcachedSettingsTest {
    private static MemcachedSettings parse(String uri, Map<String, String> environment) {
        return MemcachedSettings.parse(uri, new BackendOptions(), environment::get);
    }

    @Test
    void serversFromTheUriFirst() {
        MemcachedSettings settings = parse("memcached://H1:11311,h2,[::1]:11411?namespace=app&timeout=500ms&connectTimeout=3s",
                Map.of("DISTLOCK_MEMCACHED_SERVERS", "ignored:1"));
        assertThat(settings.servers()).extracting(MemcachedSettings.Server::label)
                .containsExactly("h1:11311", "h2:11211", "[::1]:11411");
        assertThat(settings.namespace()).isEqualTo("app");
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.description()).isEqualTo("memcached://h1:11311,h2:11211,[::1]:11411 namespace app");
    }

    @Test
    void thenDistlocksVariableThenTheSeedsThenTheDefault() {
        Map<String, String> both = Map.of("DISTLOCK_MEMCACHED_SERVERS", "a:1,b:2", "MEMCACHEDLOCK_SERVERS", "c:3");
        assertThat(parse("memcached:", both).servers()).extracting(MemcachedSettings.Server::label)
                .containsExactly("a:1", "b:2");
        assertThat(parse("memcached:?namespace=x", Map.of("MEMCACHEDLOCK_SERVERS", "c:3 d:4")).servers())
                .extracting(MemcachedSettings.Server::label).containsExactly("c:3", "d:4");
        MemcachedSettings fallback = parse("memcached://", Map.of());
        assertThat(fallback.servers()).extracting(MemcachedSettings.Server::label).containsExactly("127.0.0.1:11211");
        assertThat(fallback.namespace()).isEqualTo("distlock");
        assertThat(fallback.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fallback.description()).contains("servers from default");
        assertThat(parse("memcached:", both).description()).contains("DISTLOCK_MEMCACHED_SERVERS");
    }

    @Test
    void aBadVariableIsNamedInTheMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("memcached:",
                        Map.of("MEMCACHEDLOCK_SERVERS", "h:notaport")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MEMCACHEDLOCK_SERVERS")
                .hasMessageContaining("notaport");
    }

    @Test
    void theProviderOpensMemcachedUris() {
        // Nothing listens on port 1: opening does not fail, calls do (MemcachedBadInputTest).
        try (LockBackend backend = LockBackends.open("memcached://127.0.0.1:1?namespace=p&connectTimeout=200ms")) {
            assertThat(backend).isInstanceOf(MemcachedLockBackend.class);
            assertThat(backend.describe()).isEqualTo("memcached://127.0.0.1:1 namespace p");
        }
    }

    /**
     * The vocabulary (docs/lock-contract.md, "Vocabulary"): memcached had its words from the start
     * ({@code timeout}, {@code connectTimeout}, {@code namespace}), so it has no old ones to warn
     * about; the other backends' old words are not read here either.
     */
    @Test
    void theVocabularyWordsInTheBuilderAndTheUri() {
        ServerProcess memcached = MemcachedServers.start();
        try {
            String log = Stderr.of(() -> {
                try (MemcachedLockBackend built = MemcachedLockBackend.builder(MemcachedServers.uri("", memcached))
                        .timeout(Duration.ofMillis(750)).connectTimeout(Duration.ofSeconds(3)).namespace("words").build()) {
                    assertThat(built.describe()).endsWith(" namespace words");
                    assertThat(built.inspect("words-lock")).as("answered while the server runs").isEmpty();
                    // The timeout, named by an operation the frozen server leaves unanswered.
                    memcached.freeze();
                    try {
                        assertThatThrownBy(() -> built.inspect("words-lock")).isInstanceOf(LockBackendException.class)
                                .hasMessageContaining("within 750 ms");
                    } finally {
                        memcached.thaw();
                    }
                }
            });
            assertThat(log).doesNotContain("deprecated");
        } finally {
            memcached.close();
        }
        assertThat(parse("memcached://h1?connectTimeout=3s", Map.of()).connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        for (String old : new String[] {"operationTimeout", "commandTimeout"}) {
            assertThatThrownBy(() -> parse("memcached://h1?" + old + "=1s", Map.of()))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining(old);
        }
    }
}
