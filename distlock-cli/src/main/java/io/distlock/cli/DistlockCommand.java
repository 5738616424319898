package io.distlock.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Map;

@Command(name = "distlock", mixinStandardHelpOptions = true, versionProvider = DistlockCommand.Version.class,
        description = "Run a command under a named lock, and see who holds what.",
        subcommands = {RunCommand.class, StatusCommand.class, ListCommand.class, ReleaseCommand.class},
        footer = {"", "Exit status: 64 usage, 69 backend failure, 75 lock busy; run exits with its command's status."})
final class DistlockCommand implements Runnable {
    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;

    @Spec
    CommandSpec spec;

    DistlockCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: run, status, list or release");
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DistlockCommand.class.getPackage().getImplementationVersion();
            return new String[] {"distlock " + (version == null ? "(development build)" : version)};
        }
    }
}
