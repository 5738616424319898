package io.distlock.cli;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.spi.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List held locks whose names start with PREFIX (all when omitted).")
final class ListCommand implements Callable<Integer> {
    /** What {@code list} shows without {@code --limit}: enough for a person, bounded for the JVM. */
    static final int DEFAULT_LIMIT = 1000;
    private static final List<String> HEADER = List.of("NAME", "HOST", "PID", "SINCE", "HELD FOR", "LEASE ENDS IN",
            "TOKEN");

    @ParentCommand
    DistlockCommand cli;

    @Mixin
    BackendOption backend;

    @Option(names = "--json", description = "Print a JSON array of objects instead of a table.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "Show at most N locks (default: ${DEFAULT-VALUE}); says on stderr when there are more.")
    int limit;

    @Parameters(paramLabel = "PREFIX", arity = "0..1", defaultValue = "", description = "Only names starting with this.")
    String prefix;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new UsageException("--limit must be at least 1 but was " + limit);
        }
        ListPage page;
        try (LockManager manager = backend.open(cli.env)) {
            page = manager.list(prefix, limit);
        }
        List<LockInfo> locks = page.locks();
        if (json) {
            cli.out.println(Json.locks(locks));
        } else if (!locks.isEmpty()) {
            printTable(locks);
        }
        if (page.truncated()) {
            cli.err.println("distlock: more locks exist than the " + locks.size() + " shown (--limit " + limit
                    + "); use a larger --limit or a longer PREFIX");
        }
        return ExitCodes.OK;
    }

    private void printTable(List<LockInfo> locks) {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (LockInfo lock : locks) {
            rows.add(List.of(Printable.of(lock.name()), String.valueOf(Printable.of(lock.host())),
                    String.valueOf(lock.pid()),
                    Holders.since(lock), Holders.heldFor(lock, now), Holders.expiresIn(lock, now),
                    String.valueOf(lock.token())));
        }
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            cli.out.println(line);
        }
    }
}
