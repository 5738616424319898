package io.distlock.file;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

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
    protected void restartServer() {
        // A directory has no server to restart: every newBackend() is a new instance on it, as a
        // restarted application's would be.
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        String noConnection = "no connection to drop: the file backend works on a directory of this host "
                + "(a directory that disappears or turns read-only is FileFaultTest's)";
        return Map.of(CONNECTION_DROP, noConnection, DROP_NOTICED, noConnection);
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(CONNECTION_DROP, DROP_NOTICED);
    }
}
