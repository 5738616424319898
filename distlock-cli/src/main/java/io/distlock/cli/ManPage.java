package io.distlock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.Map;

/**
 * {@code distlock(1)} in troff's man macros, written from the picocli model that parses the
 * command line, so that it cannot say other than {@code --help}: every command's synopsis,
 * description, options (with their defaults) and exit statuses. picocli-codegen's generator writes
 * AsciiDoc, which needs Asciidoctor (Ruby) to become a man page; this needs nothing but the model.
 */
final class ManPage {
    private ManPage() {
    }

    static String render(CommandLine root, String version) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder page = new StringBuilder();
        String name = spec.name();
        page.append(".TH ").append(name.toUpperCase(java.util.Locale.ROOT)).append(" 1 \"\" \"")
                .append(escape(name + " " + version)).append("\" \"User Commands\"\n")
                // Left-aligned, no hyphenation: option names and URIs must read as typed.
                .append(".nh\n.ad l\n");
        page.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(sentence(spec.usageMessage().description()[0]))).append('\n');

        page.append(".SH SYNOPSIS\n");
        for (CommandLine command : root.getSubcommands().values()) {
            page.append(".B ").append(escape(command.getCommandSpec().qualifiedName())).append('\n')
                    .append(escape(synopsisArguments(command.getCommandSpec()))).append("\n.br\n");
        }
        page.append(".B ").append(escape(name)).append("\n").append(escape(synopsisArguments(spec))).append('\n');

        page.append(".SH DESCRIPTION\n");
        paragraphs(page, spec.usageMessage().description());
        paragraphs(page, spec.usageMessage().footer());
        options(page, spec);

        page.append(".SH COMMANDS\n");
        for (CommandLine command : root.getSubcommands().values()) {
            CommandSpec sub = command.getCommandSpec();
            page.append(".SS ").append(escape(sub.qualifiedName())).append('\n');
            paragraphs(page, sub.usageMessage().description());
            for (PositionalParamSpec positional : sub.positionalParameters()) {
                item(page, "\\fI" + escape(positional.paramLabel()) + "\\fR" + (positional.isMultiValue() ? "..." : ""),
                        positional);
            }
            options(page, sub);
            Map<String, String> exitCodes = sub.usageMessage().exitCodeList();
            if (!exitCodes.isEmpty()) {
                page.append(".PP\n.B Exit status:\n");
                exitCodes.forEach((status, meaning) ->
                        page.append(".TP\n.B ").append(escape(status)).append('\n').append(text(meaning)).append('\n'));
            }
            paragraphs(page, sub.usageMessage().footer());
        }
        return page.toString();
    }

    /** {@code [-hqV] [--kill-on-lost] ... CMD...}: picocli's own synopsis, unwrapped, after the command's name. */
    private static String synopsisArguments(CommandSpec spec) {
        int width = spec.usageMessage().width();
        spec.usageMessage().width(Integer.MAX_VALUE / 2);
        try {
            String synopsis = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                    .synopsis(0).strip();
            return synopsis.substring(spec.qualifiedName().length()).strip().replaceAll("\\s+", " ");
        } finally {
            spec.usageMessage().width(width);
        }
    }

    private static void options(StringBuilder page, CommandSpec spec) {
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            StringBuilder names = new StringBuilder();
            for (String optionName : option.names()) {
                names.append(names.length() == 0 ? "" : ", ").append("\\fB").append(escape(optionName)).append("\\fR");
            }
            if (option.arity().max() > 0) {
                names.append("=\\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            item(page, names.toString(), option);
        }
    }

    private static void item(StringBuilder page, String tag, ArgSpec arg) {
        page.append(".TP\n").append(tag).append('\n');
        String[] description = arg.description();
        for (int i = 0; i < description.length; i++) {
            page.append(i == 0 ? "" : ".br\n").append(text(description[i])).append('\n');
        }
    }

    private static void paragraphs(StringBuilder page, String[] lines) {
        for (String line : lines) {
            if (!line.isBlank()) {
                page.append(".PP\n").append(text(line)).append('\n');
            }
        }
    }

    private static String sentence(String text) {
        String first = text.strip();
        first = first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
        return Character.toLowerCase(first.charAt(0)) + first.substring(1);
    }

    /** A line of running text: a leading '.' or '\'' would be a request, so {@code \&} goes first. */
    private static String text(String line) {
        return "\\&" + escape(line.replace("%n", " ").strip());
    }

    /**
     * Backslashes as {@code \e}; hyphens as {@code \-}, the minus sign that options are typed with
     * (a plain '-' may be set as a hyphen, which does not paste into a shell); anything past ASCII as
     * {@code \[uXXXX]}.
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                escaped.append("\\e");
            } else if (c == '-') {
                escaped.append("\\-");
            } else if (c > '~' || c < ' ') {
                escaped.append(String.format("\\[u%04X]", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
