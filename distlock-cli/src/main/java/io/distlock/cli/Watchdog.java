package io.distlock.cli;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Makes sure CMD does not outlive the lock when this JVM dies without running its shutdown hook
 * ({@code kill -9}, the kernel's out-of-memory killer): then the lock ends (at once on the file
 * backend, which proves the holder gone; with its lease elsewhere) while nothing would stop CMD.
 *
 * <p>The JVM cannot act after SIGKILL, so a small {@code /bin/sh} process started before CMD does.
 * It reads CMD's pid from a pipe whose only writer is this JVM, and then waits for the pipe's end.
 * The kernel closes the JVM's end when the JVM exits, however it exits, before the JVM even becomes
 * a zombie. If CMD's pid then still names the process it named at the start (same start time in
 * {@code /proc/PID/stat}), CMD outlived the JVM: the watchdog stops it with SIGSTOP at once, then
 * walks {@code /proc} for CMD's descendants, stopping each it finds, again until a walk finds no
 * new one (a stopped process cannot start another), and then kills them all with SIGKILL, and says
 * so on stderr once each of them is dead (gone or a zombie), and only then exits. When CMD has
 * ended first (every ordinary end of {@code run}), its pid is gone or reused and the watchdog exits
 * without a word.
 *
 * <p>It is started before the lock is acquired, and on the file backend it is one of the lock's
 * holder processes ({@link io.distlock.file.FileLockBackend#addGuardProcess}): the file backend
 * frees a lock whose holder is provably gone, and the JVM is gone (a zombie) before the watchdog
 * has even stopped CMD, so the lock stays held until the watchdog has finished. If the JVM dies
 * before CMD starts, the watchdog reads no pid and exits at once.
 *
 * <p>Only CMD and the processes below it are touched: not a process group, which CMD shares with
 * distlock, the caller's shell or a pipeline, so terminal job control, Ctrl-C and CMDs that read
 * the terminal stay as they were. The watchdog ignores the terminal's signals (SIGINT, SIGQUIT,
 * SIGHUP, SIGTSTP, ...) and SIGTERM: it must outlive the JVM's clean-up after them, and it ends by
 * itself once the JVM is gone. A process that left CMD's tree before (double-forked daemons, whose
 * parent exited) is not found. Linux only ({@code /proc}); elsewhere {@link #start()} returns null.
 *
 * <p>While the JVM lives, {@link #killCommandTree()} has the watchdog do the same at once, for
 * {@code --kill-after} and a second signal ({@link CommandStopper}): a "kill" line on the pipe.
 */
final class Watchdog implements AutoCloseable {
    /**
     * $0 of the script is distlock's own pid, for the message. Fields of /proc/PID/stat after the
     * command name (which may hold spaces and parentheses, so it is cut at its last ") "; the fields
     * after it are numbers and one state letter, so splitting them unquoted is safe): $1 state,
     * $2 parent pid, $20 start time in clock ticks since boot.
     */
    private static final String SCRIPT = String.join("\n",
            "trap '' INT QUIT HUP TERM TSTP TTIN TTOU PIPE",
            "read -r cmd || exit 0",
            "line=",
            "read -r line 2>/dev/null </proc/$cmd/stat || exit 0",
            "set -- ${line##*) }",
            "start=${20}",
            "order=",
            "while read -r order; do [ \"$order\" = kill ] && break; done",
            "line=",
            "read -r line 2>/dev/null </proc/$cmd/stat || exit 0",
            "set -- ${line##*) }",
            "[ \"${20}\" = \"$start\" ] || exit 0",
            "kill -s STOP $cmd 2>/dev/null",
            "stopped=\" $cmd \"",
            "started=\"$cmd:$start\"",
            "more=1",
            "while [ -n \"$more\" ]; do",
            "  more=",
            "  for stat in /proc/[0-9]*/stat; do",
            "    line=",
            "    read -r line 2>/dev/null <\"$stat\" || continue",
            "    pid=${line%% *}",
            "    case $stopped in *\" $pid \"*) continue ;; esac",
            "    set -- ${line##*) }",
            "    case $stopped in *\" $2 \"*) ;; *) continue ;; esac",
            "    kill -s STOP $pid 2>/dev/null",
            "    stopped=\"$stopped$pid \"",
            "    started=\"$started $pid:${20}\"",
            "    more=1",
            "  done",
            "done",
            "count=0",
            "for pid in $stopped; do kill -s KILL $pid 2>/dev/null; count=$((count + 1)); done",
            "for process in $started; do",
            "  pid=${process%:*}",
            "  while line=; read -r line 2>/dev/null </proc/$pid/stat; do",
            "    set -- ${line##*) }",
            "    case $1 in Z|X) break ;; esac",
            "    [ \"${20}\" = \"${process#*:}\" ] || break",
            "    sleep 0.01 2>/dev/null || sleep 1",
            "  done",
            "done",
            "[ \"$order\" = kill ] && { echo $((count - 1)); exit 0; }",
            "echo \"distlock: distlock (pid $0) died while CMD (pid $cmd) ran; killed CMD and the $((count - 1))"
                    + " process(es) it started, so that CMD does not run without the lock\" >&2");

    private final Process process;
    private final OutputStream pipe;

    private Watchdog(Process process) {
        this.process = process;
        this.pipe = process.getOutputStream();
    }

    /** The watchdog's process, which a file backend counts as one of the lock's holder processes. */
    ProcessHandle process() {
        return process.toHandle();
    }

    /**
     * Starts the watchdog, before the lock is acquired.
     *
     * @return the watchdog, or null where there is no {@code /proc} or {@code /bin/sh}
     * @throws IOException if {@code /bin/sh} could not be started
     */
    static @Nullable Watchdog start() throws IOException {
        if (!Files.isReadable(Path.of("/proc/self/stat")) || !Files.isExecutable(Path.of("/bin/sh"))) {
            return null;
        }
        // $0: distlock's pid, for the watchdog's message.
        Process process = new ProcessBuilder("/bin/sh", "-c", SCRIPT, Long.toString(ProcessHandle.current().pid()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new Watchdog(process);
    }

    /**
     * Tells the watchdog CMD's pid, right after CMD started.
     *
     * @return false if the watchdog is gone (someone killed it), so CMD is not watched
     */
    boolean watch(long pid) {
        try {
            pipe.write((pid + "\n").getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
            return true;
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Kills CMD and every process it started now, as the watchdog would after the JVM's death (stop
     * them all, then SIGKILL), and returns once each of them is dead (gone or a zombie): for
     * {@code --kill-after} and a second signal, so that the lock is released only after the tree is
     * gone. The watchdog has ended when this returns; it watches nothing any more.
     *
     * @return how many processes below CMD were killed, or empty if CMD had ended already or the
     *         watchdog is gone (then nothing was killed)
     */
    OptionalInt killCommandTree() {
        try {
            pipe.write("kill\n".getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
        } catch (IOException gone) {
            return OptionalInt.empty();
        }
        String answer;
        try (InputStream out = process.getInputStream()) {
            // The watchdog closes its output when it exits, once every killed process is dead.
            answer = new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException gone) {
            return OptionalInt.empty();
        }
        return answer.matches("[0-9]+") ? OptionalInt.of(Integer.parseInt(answer)) : OptionalInt.empty();
    }

    /** Once CMD has ended: the watchdog finds CMD's pid gone and exits. */
    @Override
    public void close() {
        try {
            pipe.close();
        } catch (IOException gone) {
            // It ended already; there is nothing left to tell it.
        }
    }
}
