package io.distlock.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespacesTest {
    @Test
    void everyNamespaceThatOneBackendAcceptedBeforeIsValid() {
        for (String namespace : List.of("distlock", "a", "app:lock", "tenant-1", "a.b_c", "n".repeat(100), ".", "..",
                "...", ":")) {
            assertThat(Namespaces.requireValid(namespace)).isEqualTo(namespace);
        }
    }

    @Test
    void aBadNamespaceIsNamedSafelyWithTheRule() {
        for (String namespace : List.of("", "n".repeat(101), "a/b", "a{b}", "a b", "a%3A", "é", "../up")) {
            assertThat(Namespaces.isValid(namespace)).as(namespace).isFalse();
            assertThatThrownBy(() -> Namespaces.requireValid(namespace)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Namespaces.RULE);
        }
        assertThatThrownBy(() -> Namespaces.requireValid("a/b")).hasMessageContaining("namespace 'a/b'");
        assertThatThrownBy(() -> Namespaces.requireValid(null)).hasMessageContaining("namespace null");
        assertThatThrownBy(() -> Namespaces.requireValid("a\u001b]0;owned\u0007"))
                .hasMessageContaining("a\\x1b]0;owned\\x07").hasMessageNotContaining("\u001b");
        assertThatThrownBy(() -> Namespaces.requireValid("x y".repeat(100))).hasMessageContaining("...");
    }

    @Test
    void aBadNamespaceFromAUriQuotesTheMaskedUri() {
        BackendUri uri = BackendUri.parse("redis://:hunter2@h?namespace=a{b}", Set.of("redis"));
        assertThatThrownBy(() -> Namespaces.requireValid("a{b}", uri))
                .hasMessageContaining("namespace 'a{b}'").hasMessageContaining(uri.masked())
                .hasMessageNotContaining("hunter2");
    }
}
