package io.distlock.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The shell completion and the man page that the build writes into {@code target/share} (the
 * {@code process-classes} phase, before the tests) and the distribution ships as {@code share/}:
 * each covers every option of every command of the model that parses the command line, bash and
 * zsh load the completion, bash completes with it, and groff reads the page without a warning.
 */
class CompletionAndManPageTest {
    private static final Path SHARE = Path.of("target", "share").toAbsolutePath();
    private static final Path COMPLETION = SHARE.resolve(Docs.COMPLETION);
    private static final Path MAN_PAGE = SHARE.resolve(Docs.MAN_PAGE);

    /** Each command's name (the top level as "") and its options' names, from the model. */
    private static final Map<String, List<String>> OPTIONS = new LinkedHashMap<>();

    @BeforeAll
    static void theModel() {
        PrintStream nowhere = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine root = new Main(Map.of(), nowhere, nowhere).commandLine();
        OPTIONS.put("", names(root));
        root.getSubcommands().forEach((name, command) -> OPTIONS.put(name, names(command)));
        assertThat(OPTIONS.get("run")).as("the model read right").contains("--timeout", "-E", "--backend");
        assertThat(COMPLETION).as("written by the build (mvn process-classes)").isRegularFile();
        assertThat(MAN_PAGE).as("written by the build (mvn process-classes)").isRegularFile();
    }

    private static List<String> names(CommandLine command) {
        List<String> names = new ArrayList<>();
        for (OptionSpec option : command.getCommandSpec().options()) {
            names.addAll(List.of(option.names()));
        }
        return names;
    }

    @Test
    void theCompletionNamesEveryCommandAndOption() throws IOException {
        String script = Files.readString(COMPLETION);
        OPTIONS.forEach((command, options) -> {
            assertThat(script).as("command %s", command).contains(command);
            for (String option : options) {
                assertThat(script).as("%s's option %s", command, option).containsPattern("[\\s'\"(]" + option + "[\\s'\")]");
            }
        });
    }

    @Test
    void bashReadsTheCompletionAndCompletesEveryLongOptionOfEachCommand() throws IOException {
        Result syntax = shell("bash", "-n", COMPLETION.toString());
        assertThat(syntax.status()).as("bash -n: %s", syntax).isZero();

        Result registered = shell("bash", "-c", "source \"$0\" && complete -p distlock", COMPLETION.toString());
        assertThat(registered.status()).as("%s", registered).isZero();
        assertThat(registered.out()).contains("-F _complete_distlock").endsWith("distlock\n");

        // What bash does on `distlock <TAB>` and `distlock COMMAND --<TAB>`: set COMP_WORDS and
        // COMP_CWORD, call the function, read COMPREPLY.
        String complete = "source \"$0\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                + "COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; _complete_distlock 2>/dev/null; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"";
        Result commands = shell("bash", "-c", complete, COMPLETION.toString(), "distlock", "");
        assertThat(commands.out().lines()).as("%s", commands)
                .containsAll(OPTIONS.keySet().stream().filter(name -> !name.isEmpty()).toList());
        OPTIONS.forEach((command, options) -> {
            if (command.isEmpty()) {
                return;
            }
            Result offered = shell("bash", "-c", complete, COMPLETION.toString(), "distlock", command, "--");
            assertThat(offered.out().lines()).as("distlock %s --<TAB>: %s", command, offered)
                    .containsAll(options.stream().filter(option -> option.startsWith("--")).toList());
        });
    }

    @Test
    void zshLoadsTheCompletionThroughBashcompinit() {
        Result zsh = shell("zsh", "-f", "-c", "source \"$0\" && print -r -- \"${_comps[distlock]}\"",
                COMPLETION.toString());
        assertThat(zsh.status()).as("%s", zsh).isZero();
        assertThat(zsh.out()).contains("_bash_complete", "_complete_distlock");
    }

    @Test
    void theManPageCoversEveryCommandOptionAndExitStatusOfTheModel() throws IOException {
        Result check = shell("groff", "-man", "-Tutf8", "-ww", "-z", MAN_PAGE.toString());
        assertThat(check.status()).as("%s", check).isZero();
        assertThat(check.err()).as("groff's warnings").isEmpty();

        Result rendered = shell("groff", "-man", "-Tutf8", "-P", "-cbou", MAN_PAGE.toString());
        assertThat(rendered.status()).as("%s", rendered).isZero();
        // As a reader sees it: one line per paragraph, so a term is never split by the line width.
        String page = rendered.out().replaceAll("[\\u2010\\u2212]", "-").replaceAll("\\s+", " ");
        assertThat(page).contains("DISTLOCK(1)", "NAME distlock - run a command under a named lock");
        OPTIONS.forEach((command, options) -> {
            assertThat(page).contains("distlock " + command);
            for (String option : options) {
                assertThat(page).as("%s's option %s", command, option).containsPattern(" " + option + "[ =,]");
            }
        });
        assertThat(page).contains("--timeout=DURATION", "124 CMD ran past --timeout", "125 the lock was lost",
                "Default: 75.");
    }

    private record Result(int status, String out, String err) {
    }

    /** Runs a program that the page or the script is for; a missing one fails with the package that has it. */
    private static Result shell(String... command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("shell", ".out");
            err = Files.createTempFile("shell", ".err");
            Process process;
            try {
                process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException missing) {
                String pkg = command[0].equals("groff") ? "groff-base" : command[0];
                return fail(command[0] + " is needed for this test: apt-get install " + pkg + " (" + missing.getMessage()
                        + ")");
            }
            if (!process.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail(String.join(" ", command) + " did not end within " + Launcher.DEADLINE.toSeconds() + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } finally {
            try {
                if (out != null) {
                    Files.deleteIfExists(out);
                }
                if (err != null) {
                    Files.deleteIfExists(err);
                }
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }
    }
}
