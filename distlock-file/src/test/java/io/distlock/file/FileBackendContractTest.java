package io.distlock.file;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The file backend keeps the whole contract: every rule applies, across threads and processes. */
class FileBackendContractTest extends LockContractSuite {
    @TempDir
    Path directory;

    @Override
    protected LockBackend newBackend() {
        return FileLockBackend.builder().directory(directory).build();
    }

    @Override
    protected LockBackend newBackend(String namespace) {
        return FileLockBackend.builder().directory(directory).namespace(namespace).build();
    }

    @Override
    protected String backendUri() {
        return "file:" + directory;
    }
}
