package io.distlock.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Properties;

@Command(name = "distlock", mixinStandardHelpOptions = true, versionProvider = DistlockCommand.Version.class,
        description = "Run a command under a named lock, hold one for part of a script, and see who holds what.",
        subcommands = {RunCommand.class, HoldCommand.class, StatusCommand.class, ListCommand.class,
                ReleaseCommand.class},
        footer = {"", "A command's options may come before or after its name (distlock --backend URI run ...).",
                "Exit status: 64 usage, 69 backend failure, 75 lock busy, 125 lock lost; run exits with its "
                + "command's status, or 124 (--timeout), 125 (lock lost) or 128+N (signal N): see run --help."})
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
        throw new ParameterException(spec.commandLine(), "missing command: run, hold, status, list or release");
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DistlockCommand.class.getPackage().getImplementationVersion();
            return new String[] {"distlock " + (version == null ? "(development build)" : version)
                    + " (commit " + commit() + ")"};
        }

        /** The commit the jar was built from, which the build writes to commit.properties; or "unknown". */
        static String commit() {
            try (InputStream in = Version.class.getResourceAsStream("commit.properties")) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    String id = properties.getProperty("commit", "").trim();
                    if (!id.isEmpty()) {
                        return id;
                    }
                }
            } catch (IOException e) {
                // no commit to show
            }
            return "unknown";
        }
    }
}
