package io.distlock.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidationTest {
    @Test
    void aNameIsRefusedWithAMessageThatSaysWhy() {
        assertThatThrownBy(() -> Validation.name(null)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("lock name must not be null");
        assertThatThrownBy(() -> Validation.name("")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("lock name must not be empty");
        assertThatThrownBy(() -> Validation.name("ab\uDC00\uD800")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("lock name has an unpaired UTF-16 surrogate (U+DC00) at index 2, which is not "
                        + "well-formed Unicode; lock names must be valid text");
        assertThatThrownBy(() -> Validation.name("é".repeat(513))).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("lock name must be at most 1024 UTF-8 bytes but was 1026 bytes: '" + "é".repeat(57) + "...'");
    }

    @Test
    void aWellFormedNameOfAtMost1024BytesPasses() {
        for (String name : new String[] {"a", "ok \uD83D\uDD12", "é".repeat(512), "x".repeat(1024)}) {
            assertThat(Validation.name(name)).isSameAs(name);
        }
    }
}
