package io.distlock.cli;

import picocli.AutoComplete;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the shell completion and the man page from the command model, at build time (the
 * {@code process-classes} phase; the distribution ships them under {@code share/}):
 * {@code share/bash-completion/completions/distlock}, picocli's bash completion, which zsh loads
 * through {@code bashcompinit}; and {@code share/man/man1/distlock.1}.
 */
final class Docs {
    static final String COMPLETION = "bash-completion/completions/distlock";
    static final String MAN_PAGE = "man/man1/distlock.1";

    private Docs() {
    }

    /** {@code Docs SHARE_DIRECTORY VERSION}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Docs SHARE_DIRECTORY VERSION; got " + args.length + " arguments");
        }
        write(Path.of(args[0]), args[1]);
    }

    static void write(Path share, String version) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        CommandLine model = new Main(Map.of(), nowhere, nowhere).commandLine();
        writeFile(share.resolve(COMPLETION), AutoComplete.bash("distlock", model));
        writeFile(share.resolve(MAN_PAGE), ManPage.render(model, version));
    }

    private static void writeFile(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
