/**
 * The {@code distlock} command line: an application, so it exports nothing. picocli is compiled
 * into this module from its sources (see the build), so its reflection on the commands stays inside
 * the module. Backends are found as services: a backend module on the module path serves its URIs
 * without this module naming it; only the file backend, the default, is named.
 */
module io.distlock.cli {
    requires io.distlock;
    requires io.distlock.file;
    requires java.logging;
    // SignalEscalation reaches sun.misc.Signal by reflection, so that a JVM without it still runs.
    requires jdk.unsupported;

    uses io.distlock.spi.LockBackendProvider;
}
