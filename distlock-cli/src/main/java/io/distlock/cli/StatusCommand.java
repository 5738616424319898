package io.distlock.cli;

import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.spi.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Tell who holds a lock. Exits 0 when it is held, 1 when it is free.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    DistlockCommand cli;

    @Mixin
    BackendOption backend;

    @Option(names = "--json", description = "Print one JSON object instead of a sentence.")
    boolean json;

    @Parameters(paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Override
    public Integer call() {
        Optional<LockInfo> holder;
        try (LockManager locks = backend.open(cli.env)) {
            holder = locks.inspect(name);
        }
        if (json) {
            cli.out.println(Json.status(name, holder.orElse(null)));
        } else if (holder.isPresent()) {
            Instant now = Instant.now();
            LockInfo info = holder.get();
            cli.out.println("'" + Printable.of(name) + "' is held by " + Holders.describe(info, now) + ", thread "
                    + Printable.of(info.thread())
                    + ", token " + info.token() + ", lease ends in " + Holders.expiresIn(info, now));
        } else {
            cli.out.println("'" + Printable.of(name) + "' is free");
        }
        return holder.isPresent() ? ExitCodes.OK : ExitCodes.NOT_HELD;
    }
}
