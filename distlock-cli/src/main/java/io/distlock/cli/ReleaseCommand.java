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

@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Remove a lock whoever holds it (needs --force).",
                "A holder releases its own lock when its command ends; use this only for a lock left by a "
                        + "process that is gone, before its lease would end by itself."})
final class ReleaseCommand implements Callable<Integer> {
    @ParentCommand
    DistlockCommand cli;

    @Mixin
    BackendOption backend;

    @Option(names = "--force", description = "Yes, remove it even though another process may be relying on it.")
    boolean force;

    @Parameters(paramLabel = "NAME", description = "The lock's name.")
    String name;

    @Override
    public Integer call() {
        if (!force) {
            throw new UsageException("refusing to release '" + name + "' without --force: it removes the lock "
                    + "whoever holds it, while its holder may still be working (a holder releases its own lock "
                    + "when its command ends)");
        }
        try (LockManager locks = backend.open(cli.env)) {
            Optional<LockInfo> holder = locks.inspect(name);
            boolean removed = locks.forceRelease(name);
            if (removed) {
                cli.out.println("released '" + Printable.of(name) + "'"
                        + holder.map(h -> ", which was held by " + Holders.describe(h, Instant.now())).orElse(""));
            } else {
                cli.out.println("'" + Printable.of(name) + "' was not held; nothing to release");
            }
        }
        return ExitCodes.OK;
    }
}
