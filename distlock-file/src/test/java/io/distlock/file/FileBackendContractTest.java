package io.distlock.file;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

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

    @Override
    protected Map<String, String> notApplicable() {
        return Map.of(CONNECTION_DROP, "no connection to drop: the file backend works on a directory of this host "
                + "(a directory that disappears or turns read-only is FileFaultTest's)");
    }
}
