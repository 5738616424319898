package io.distlock.cli;

import io.distlock.LockBackendException;
import io.distlock.LockException;
import io.distlock.spi.Secrets;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.LogManager;

/** {@code distlock}: the entry point the launcher runs. */
public final class Main {
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    /** The secret values this run was given (passwords in URIs and variables), masked out of what it prints. */
    private Set<String> secrets = Set.of();

    Main(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // On Java 24+ Netty's (Lettuce's) use of sun.misc.Unsafe prints four deprecation warnings to
        // stderr, which would break the promise of one stderr line per outcome. Netty's own switch
        // keeps it off Unsafe on every JDK; a command-line tool loses nothing measurable by it.
        setIfAbsent("io.netty.noUnsafe", "true");
        // Lettuce and Netty emit JFR events whenever the JVM has JFR: each event class gets a
        // handler class generated at run time, some 40 ms of CPU time of a run on Redis
        // (distlock-benchmarks' StartupBenchmark); a short run has no flight recording to feed.
        setIfAbsent("io.lettuce.core.jfr", "false");
        setIfAbsent("io.netty.jfr.enabled", "false");
        // picocli registers a converter for each java.time and java.sql type by reflection, which
        // loads and initializes them all in every run. No option of this tool takes one of them
        // but Duration, and those options name their own converter.
        setIfAbsent("picocli.converters.excludes", "java\\.sql\\..*,java\\.time\\.(?!Duration$).*");
        silenceJavaUtilLogging();
        int status = args.length == 1 && args[0].equals(ArchiveTraining.ARGUMENT)
                ? ArchiveTraining.run(System.getenv())
                : new Main(System.getenv(), System.out, System.err).execute(args);
        System.out.flush();
        System.exit(status);
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Netty (under Lettuce) and xmemcached log through SLF4J only when it has a real binding; with
     * the silent one this tool ships they fall back to java.util.logging, whose console handler
     * printed a line per dropped connection ("Unexpected exception during request: Connection
     * reset", dozens of them) between distlock's own one-line reports. distlock says what matters
     * itself, so the fallback goes quiet too: unless configured on purpose, java.util.logging takes
     * its configuration from {@link QuietLogging}. Named in a property rather than applied here, so
     * that a run on a backend that never logs does not start java.util.logging at all (its set-up
     * was 1 % of a file-backend run's CPU time).
     */
    static void silenceJavaUtilLogging() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return; // someone configured it on purpose
        }
        System.setProperty("java.util.logging.config.class", QuietLogging.class.getName());
    }

    /**
     * java.util.logging's configuration for this tool: no handler, every logger off. Public only
     * because java.util.logging instantiates it by name ({@code java.util.logging.config.class}).
     */
    public static final class QuietLogging {
        /**
         * Configures java.util.logging, as its {@code LogManager} asks of a configuration class.
         *
         * @throws IOException never: the configuration is read from memory
         */
        public QuietLogging() throws IOException {
            LogManager.getLogManager().readConfiguration(
                    new ByteArrayInputStream("handlers=\n.level=OFF\n".getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    int execute(String... args) {
        secrets = knownSecrets(env, args);
        CommandLine cli = commandLine();
        return cli.execute(OptionPlacement.commandFirst(cli, args));
    }

    /** The command model, as every run parses with it, and as the shell completion and man page describe it ({@link Docs}). */
    CommandLine commandLine() {
        CommandLine cli = new CommandLine(new DistlockCommand(env, out, err));
        cli.setExpandAtFiles(false);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        // `distlock run --name x rsync -av a b`: everything from CMD on belongs to CMD, even without --.
        Objects.requireNonNull(cli.getSubcommands().get("run"), "the run command").setStopAtPositional(true);
        cli.setParameterExceptionHandler(this::usageError);
        cli.setExecutionExceptionHandler((failure, command, parsed) -> failed(failure));
        return cli;
    }

    private int usageError(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        String message = asTyped(e, args);
        if (e instanceof UnmatchedArgumentException && e.getCommandLine().getParent() == null && args.length > 0
                && !args[0].startsWith("-")) {
            message = "unknown command '" + args[0] + "': use "
                    + String.join(", ", e.getCommandLine().getSubcommands().keySet());
        }
        if (e instanceof UnmatchedArgumentException unmatched) {
            message += elsewhere(e.getCommandLine(), unmatched.getUnmatched());
        }
        err.println("distlock: " + OneLine.of(masked(message)) + " (see '" + command + " --help')");
        return ExitCodes.USAGE;
    }

    /**
     * picocli's message, naming the option by the long name that was typed: picocli names an option
     * by its longest name, which for {@code --lease} is its alias {@code --expires}. Only a short
     * name typed: the first long name ({@code --lease} for {@code -e}). Both long names typed (the
     * option given twice): both named.
     */
    private static @Nullable String asTyped(ParameterException e, String[] args) {
        String message = e.getMessage();
        ArgSpec argument = e instanceof OverwrittenOptionException overwritten ? overwritten.getOverwritten()
                : e.getArgSpec();
        if (!(argument instanceof OptionSpec option) || message == null) {
            return message;
        }
        Set<String> typed = new LinkedHashSet<>();
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            for (String name : option.names()) {
                if (name.startsWith("--") && (arg.equals(name) || arg.startsWith(name + "="))) {
                    typed.add(name);
                }
            }
        }
        if (typed.isEmpty()) {
            for (String name : option.names()) {
                if (name.startsWith("--")) {
                    typed.add(name);
                    break;
                }
            }
        }
        if (typed.isEmpty()) {
            return message;
        }
        List<String> names = new ArrayList<>(typed);
        String named = "option '" + names.get(0) + "'" + (names.size() == 1 ? ""
                : " (also given as '" + String.join("', '", names.subList(1, names.size())) + "')");
        return message.replace("option '" + option.longestName() + "'", named);
    }

    /**
     * For options that belong to other commands than the one parsed ({@code distlock run --json}),
     * which commands take them; "" when none does.
     */
    private static String elsewhere(CommandLine parsed, List<String> unmatched) {
        CommandLine root = parsed;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        StringBuilder text = new StringBuilder();
        for (String arg : unmatched) {
            if (!arg.startsWith("-")) {
                continue;
            }
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            List<String> owners = new ArrayList<>();
            root.getSubcommands().forEach((name, command) -> {
                if (command != parsed && command.getCommandSpec().findOption(option) != null) {
                    owners.add(name);
                }
            });
            if (!owners.isEmpty()) {
                text.append("; '").append(option).append("' is an option of ").append(String.join(", ", owners))
                        .append(parsed.getParent() == null ? "" : ", not of " + parsed.getCommandName());
            }
        }
        return text.toString();
    }

    /**
     * One line per failure, never a stack trace (unless DISTLOCK_DEBUG is set, for bug reports).
     * Everything printed is masked first: a driver's message, deep in the trace, may quote the URI
     * or the password itself.
     */
    private int failed(Exception failure) {
        if (env.containsKey("DISTLOCK_DEBUG")) {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            err.print(masked(trace.toString()));
        }
        if (failure instanceof UsageException || failure instanceof IllegalArgumentException) {
            err.println("distlock: " + OneLine.of(masked(failure.getMessage())));
            return ExitCodes.USAGE;
        }
        if (failure instanceof LockException && failure.getCause() instanceof UnsupportedOperationException) {
            // Something this backend never does (list on memcached): the user's choice, not a bug,
            // and no retry cures it, so it is a usage error rather than "unavailable".
            err.println("distlock: " + OneLine.of(masked(failure.getMessage())));
            return ExitCodes.USAGE;
        }
        if (failure instanceof LockBackendException) {
            err.println("distlock: backend failed: " + OneLine.of(masked(failure.getMessage())));
            return ExitCodes.BACKEND_UNAVAILABLE;
        }
        err.println("distlock: internal error: " + OneLine.of(masked(failure.toString()))
                + " (set DISTLOCK_DEBUG=1 for the stack trace)");
        return ExitCodes.INTERNAL;
    }

    private @Nullable String masked(@Nullable String text) {
        return Secrets.maskText(text, secrets);
    }

    /**
     * The secrets of every argument and of the {@code DISTLOCK_*} variables (the backend URI's, and
     * those whose names say password, secret, token or key, such as {@code DISTLOCK_JDBC_PASSWORD}).
     */
    static Set<String> knownSecrets(Map<String, String> env, String... args) {
        Set<String> secrets = new HashSet<>();
        for (String arg : args) {
            secrets.addAll(Secrets.valuesIn(arg));
        }
        env.forEach((name, value) -> {
            if (name.startsWith("DISTLOCK_") && value != null) {
                secrets.addAll(Secrets.valuesIn(value));
                if (Secrets.isSecretName(name)) {
                    secrets.add(value);
                }
            }
        });
        return Set.copyOf(secrets);
    }
}
