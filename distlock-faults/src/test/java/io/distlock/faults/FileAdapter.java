package io.distlock.faults;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** The file backend: no server, so only the client faults apply. */
final class FileAdapter implements BackendAdapter {
    static final java.util.Set<Fault> FAULTS = CLIENT_FAULTS;

    @Override
    public String name() {
        return "file";
    }

    @Override
    public String clientUri(Path runDirectory, InetSocketAddress via) {
        return "file:" + runDirectory.resolve("locks");
    }

    @Override
    public void close() {
    }
}
