package io.distlock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options are accepted before the command name as well as after it: {@code distlock --backend URI
 * run ...} (the form several READMEs showed, refused until then with "Unknown options") means
 * {@code distlock run --backend URI ...}. Picocli reads a command's options only after its name,
 * so the options of the named command that precede it are moved to just after it, in their order;
 * whatever else stands before the name (the top-level {@code --help} and {@code --version}, or a
 * mistake) stays where it was and is parsed as before.
 */
final class OptionPlacement {
    private OptionPlacement() {
    }

    /**
     * {@code args} with the options of its command that stand before the command's name moved to
     * just after the name; {@code args} itself when there are none, or no command name.
     */
    static String[] commandFirst(CommandLine cli, String... args) {
        Map<String, CommandLine> commands = cli.getSubcommands();
        int at = commandIndex(cli.getCommandSpec(), commands, args);
        if (at <= 0) {
            return args;
        }
        // commandIndex found args[at] among the commands.
        CommandSpec command = Objects.requireNonNull(commands.get(args[at])).getCommandSpec();
        List<String> moved = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < at; i++) {
            int width = optionWidth(command, args, i, at);
            List<String> target = width > 0 ? moved : kept;
            for (int j = 0; j < Math.max(1, width); j++) {
                target.add(args[i + j]);
            }
            i += Math.max(1, width) - 1;
        }
        if (moved.isEmpty()) {
            return args;
        }
        List<String> reordered = new ArrayList<>(kept);
        reordered.add(args[at]);
        reordered.addAll(moved);
        reordered.addAll(List.of(args).subList(at + 1, args.length));
        return reordered.toArray(String[]::new);
    }

    /**
     * Where the command's name is: the first argument that names a command and is not the value of
     * an option before it (of the top level or of any command: {@code --name run run -- x}); -1 if
     * none comes before {@code --}.
     */
    private static int commandIndex(CommandSpec top, Map<String, CommandLine> commands, String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return -1;
            }
            if (commands.containsKey(arg)) {
                return i;
            }
            int width = optionWidth(top, args, i, args.length);
            for (CommandLine command : commands.values()) {
                width = Math.max(width, optionWidth(command.getCommandSpec(), args, i, args.length));
            }
            i += Math.max(1, width) - 1;
        }
        return -1;
    }

    /**
     * How many arguments from {@code i} (before {@code end}) make one option of {@code command}
     * with its value: 1 for a flag or {@code --name=value}, 2 for {@code --name value}; 0 if
     * {@code args[i]} is not such an option. Short options may be clustered ({@code -qn job}).
     */
    private static int optionWidth(CommandSpec command, String[] args, int i, int end) {
        String arg = args[i];
        if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
            return 0;
        }
        int equals = arg.indexOf('=');
        OptionSpec whole = command.findOption(equals > 0 ? arg.substring(0, equals) : arg);
        if (whole != null) {
            return equals > 0 || !takesValue(whole) ? 1 : Math.min(2, end - i);
        }
        if (arg.startsWith("--") || arg.length() < 3) {
            return 0;
        }
        // A cluster of short options: each a flag but perhaps the last, whose value may follow it.
        for (int c = 1; c < arg.length(); c++) {
            OptionSpec option = command.findOption(arg.charAt(c));
            if (option == null) {
                return 0;
            }
            if (takesValue(option)) {
                return c < arg.length() - 1 ? 1 : Math.min(2, end - i);
            }
        }
        return 1;
    }

    private static boolean takesValue(OptionSpec option) {
        return option.arity().max() > 0;
    }
}
