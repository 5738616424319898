package io.distlock.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a name and a namespace live on disk, pinned to literal values: a lock held by an older
 * version must still be found, so neither mapping may ever change for a name or namespace that
 * was valid before.
 */
class FileKeysTest {
    @TempDir
    Path directory;

    @Test
    void theStripeOfANameIsFixed() {
        try (FileLockBackend backend = FileLockBackend.builder().directory(directory).build()) {
            Map<String, String> stripes = Map.of("orders", "28", "job", "30", "名前", "62", "🔒", "42", "a:b", "39");
            stripes.forEach((name, stripe) -> assertThat(backend.stripeFile(name))
                    .as(name).isEqualTo(directory.resolve("distlock").resolve("stripes").resolve(stripe)));
            // Past the engine, an unpaired surrogate keeps its own bytes (LockNames), not UTF-8's '?'.
            assertThat(FileKeys.stripeOf("\uD800")).isEqualTo(17).isNotEqualTo(FileKeys.stripeOf("?"));
        }
    }

    @Test
    void aNamespaceValidBeforeIsItsOwnDirectory() {
        for (String namespace : new String[] {"tenant-1", "a.b_c", "x".repeat(64), "..."}) {
            try (FileLockBackend backend = FileLockBackend.builder().directory(directory).namespace(namespace).build()) {
                assertThat(backend.stripeFile("x")).startsWithRaw(directory.resolve(namespace));
            }
        }
    }

    @Test
    void aNamespaceTheFileSystemCannotHoldAsItIsIsEncoded() {
        assertThat(FileKeys.directoryOf("app:lock")).isEqualTo("app%3Alock");
        assertThat(FileKeys.directoryOf(".")).isEqualTo("%2E");
        assertThat(FileKeys.directoryOf("..")).isEqualTo("%2E%2E");
        assertThat(FileKeys.directoryOf(":".repeat(100))).matches("%[0-9a-f]{64}");
        try (FileLockBackend backend = FileLockBackend.builder().directory(directory).namespace("app:lock").build()) {
            assertThat(backend.stripeFile("x")).startsWithRaw(directory.resolve("app%3Alock"));
            assertThat(backend.namespace()).isEqualTo("app:lock");
            assertThat(backend.describe()).endsWith("?namespace=app:lock");
        }
    }
}
