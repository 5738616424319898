package io.distlock.spi;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackendOptionsTest {
    private static final Set<String> SCHEMES = Set.of("x");

    private static BackendUri uri(String query) {
        return BackendUri.parse("x://h" + query, SCHEMES);
    }

    @Test
    void theBuilderWinsOverTheUriWhichWinsOverTheDefault() {
        BackendUri uri = uri("?namespace=fromUri&timeout=3s&connectTimeout=4s&notifications=false");
        BackendOptions none = new BackendOptions();
        assertThat(none.resolveNamespace(uri)).isEqualTo("fromUri");
        assertThat(none.resolveTimeout(uri, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(3));
        assertThat(none.resolveConnectTimeout(uri, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(4));
        assertThat(none.resolveNotifications(uri, true, getClass(), "x")).isFalse();

        BackendOptions set = new BackendOptions().namespace("fromBuilder").timeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(6)).notifications(true);
        assertThat(set.resolveNamespace(uri)).isEqualTo("fromBuilder");
        assertThat(set.resolveTimeout(uri, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.resolveConnectTimeout(uri, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(6));
        assertThat(set.resolveNotifications(uri, false, getClass(), "x")).isTrue();

        BackendUri bare = uri("");
        assertThat(none.resolveNamespace(bare)).isEqualTo(Namespaces.DEFAULT);
        assertThat(none.resolveNamespace(null)).isEqualTo(Namespaces.DEFAULT);
        assertThat(none.resolveTimeout(null, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(1));
        assertThat(none.resolveConnectTimeout(bare, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(none.resolveNotifications(bare, true, getClass(), "x")).isTrue();
    }

    @Test
    void aUriPrefixIsReadBeforeEveryWordOfTheUriOnly() {
        BackendUri uri = uri("?distlock.namespace=pre&namespace=bare&distlock.timeout=3s&timeout=9s"
                + "&distlock.connectTimeout=4s&connectTimeout=9s&distlock.notify=false&notifications=true");
        BackendOptions prefixed = new BackendOptions("distlock.", null, "notify");
        assertThat(prefixed.resolveNamespace(uri)).isEqualTo("pre");
        assertThat(prefixed.resolveTimeout(uri, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(3));
        assertThat(prefixed.resolveConnectTimeout(uri, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(4));
        assertThat(prefixed.resolveNotifications(uri, true, getClass(), "x")).as("the old word, prefixed").isFalse();
        assertThat(new BackendOptions("distlock.", null, null).timeout(Duration.ofSeconds(5))
                .resolveTimeout(uri, Duration.ofSeconds(1), getClass(), "x")).as("the builder's word is bare")
                .isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> prefixed.resolveNotifications(uri("?distlock.notify=false&distlock.notifications=true"),
                true, getClass(), "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distlock.notify=false").hasMessageContaining("distlock.notifications=true");
    }

    @Test
    void theOldWordsAreReadFromTheBuilderAndTheUri() {
        BackendOptions options = new BackendOptions("operationTimeout", "releaseNotifications");
        BackendUri uri = uri("?operationTimeout=7s&releaseNotifications=false");
        assertThat(options.resolveTimeout(uri, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(7));
        assertThat(options.resolveNotifications(uri, true, getClass(), "x")).isFalse();
        assertThat(new BackendOptions("operationTimeout", null).oldTimeout(Duration.ofSeconds(8))
                .resolveTimeout(null, Duration.ofSeconds(1), getClass(), "x")).isEqualTo(Duration.ofSeconds(8));
        assertThatThrownBy(() -> options.resolveTimeout(uri("?operationTimeout=7s&timeout=8s"), Duration.ZERO, getClass(), "x"))
                .hasMessageContaining("operationTimeout").hasMessageContaining("timeout=8s");
    }

    @Test
    void badValuesAreRefusedNamingThem() {
        assertThatThrownBy(() -> new BackendOptions().resolveNamespace(uri("?namespace=a/b")))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace 'a/b'")
                .hasMessageContaining("x://h?namespace=a/b");
        assertThatThrownBy(() -> new BackendOptions().namespace("a b").resolveNamespace(null))
                .hasMessageContaining("namespace 'a b'");
        assertThatThrownBy(() -> new BackendOptions().timeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> new BackendOptions().connectTimeout(null)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new BackendOptions().resolveConnectTimeout(uri("?connectTimeout=soon"), Duration.ZERO))
                .hasMessageContaining("connectTimeout=soon");
    }
}
