package io.distlock.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HolderProcessTest {
    private static final boolean LINUX = Files.isReadable(Path.of("/proc/self/stat"));

    @Test
    void thisProcessIsAlive() {
        assertThat(HolderProcess.SELF).startsWith(LINUX ? "linux/" : "jvm/")
                .contains("/" + ProcessHandle.current().pid() + "/");
        assertThat(HolderProcess.judge(HolderProcess.SELF)).isEqualTo(HolderProcess.Verdict.ALIVE);
    }

    @Test
    void aRecycledPidWithAnotherStartTimeIsGone() {
        String[] self = HolderProcess.SELF.split("/");
        long start = Long.parseLong(self[self.length - 1]);
        // One tick later on Linux; beyond the one-second tolerance elsewhere.
        self[self.length - 1] = Long.toString(start + (LINUX ? 1 : 5_000));
        assertThat(HolderProcess.judge(String.join("/", self))).isEqualTo(HolderProcess.Verdict.GONE);
    }

    @Test
    void anEndedProcessIsGone() throws Exception {
        Process process = new ProcessBuilder(javaCommand(), "-version").redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(HolderProcess.judge(identityOf(process.pid(), 12345))).isEqualTo(HolderProcess.Verdict.GONE);
    }

    @Test
    void aZombieIsGone() throws Exception {
        if (!LINUX) {
            assertThat(HolderProcess.SELF).startsWith("jvm/");
            return;
        }
        // The background subshell becomes the child of 'sleep 30', which never reaps it: a zombie until
        // we end. It exits only once its parent has become 'sleep': a child that ended before the exec
        // could be reaped by the shell itself (a quiet machine: /proc/PID/stat was gone).
        Process parent = new ProcessBuilder("/bin/sh", "-c",
                "p=$$; (while [ \"$(cat /proc/$p/comm)\" != sleep ]; do :; done) & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine().trim());
            Path stat = Path.of("/proc", Long.toString(zombie), "stat");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String[] fields = statFields(stat);
            while (!fields[0].equals("Z")) {
                assertThat(System.nanoTime() - deadline).as("pid %d became a zombie", zombie).isNegative();
                Thread.onSpinWait();
                fields = statFields(stat);
            }
            assertThat(HolderProcess.judge(identityOf(zombie, Long.parseLong(fields[19]))))
                    .isEqualTo(HolderProcess.Verdict.GONE);
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void processesThisOneCannotSeeAreNeverJudgedGone() {
        String[] self = HolderProcess.SELF.split("/");
        String[] otherBoot = self.clone();
        otherBoot[1] = "another-" + otherBoot[1];
        assertThat(HolderProcess.judge(String.join("/", otherBoot))).isEqualTo(HolderProcess.Verdict.UNKNOWN);
        if (LINUX) {
            String[] otherNamespace = self.clone();
            otherNamespace[2] = "pid:[1]";
            otherNamespace[3] = "999999999";
            assertThat(HolderProcess.judge(String.join("/", otherNamespace))).isEqualTo(HolderProcess.Verdict.UNKNOWN);
        }
        assertThat(HolderProcess.judge("")).isEqualTo(HolderProcess.Verdict.UNKNOWN);
        assertThat(HolderProcess.judge("nonsense")).isEqualTo(HolderProcess.Verdict.UNKNOWN);
        assertThat(HolderProcess.judge("linux/a/b/not-a-pid/1")).isEqualTo(HolderProcess.Verdict.UNKNOWN);
    }

    @Test
    void aHolderWithAGuardProcessIsGoneOnlyOnceBothAre() throws Exception {
        Process ended = new ProcessBuilder("sleep", "0").start();
        assertThat(ended.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String deadJvm = identityOf(ended.pid(), 12345);
        Process guard = new ProcessBuilder("sleep", "30").start();
        try {
            String guarded = HolderProcess.withGuard(deadJvm, guard.toHandle());
            assertThat(guarded).isEqualTo(deadJvm + "/" + guard.pid() + "/" + guarded.substring(guarded.lastIndexOf('/') + 1));
            assertThat(HolderProcess.judge(guarded)).as("the guard still runs").isEqualTo(HolderProcess.Verdict.ALIVE);
            assertThat(HolderProcess.judge(HolderProcess.withGuard(HolderProcess.SELF, guard.toHandle())))
                    .isEqualTo(HolderProcess.Verdict.ALIVE);

            guard.destroyForcibly();
            assertThat(guard.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(HolderProcess.judge(guarded)).as("both ended").isEqualTo(HolderProcess.Verdict.GONE);
            assertThat(HolderProcess.judge(HolderProcess.SELF + guarded.substring(deadJvm.length())))
                    .as("this JVM still runs").isEqualTo(HolderProcess.Verdict.ALIVE);
            assertThat(HolderProcess.withGuard(deadJvm, guard.toHandle())).as("an ended guard guards nothing")
                    .isEqualTo(deadJvm);
        } finally {
            guard.destroyForcibly();
        }
    }

    @Test
    void aMalformedListOfProcessesIsNeverJudgedGone() {
        String deadPair = "/999999999/1";
        assertThat(HolderProcess.judge(identityOf(999999998, 1) + deadPair)).as("well formed")
                .isEqualTo(HolderProcess.Verdict.GONE);
        assertThat(HolderProcess.judge(identityOf(999999998, 1) + "/999999999")).as("half a pair")
                .isEqualTo(HolderProcess.Verdict.UNKNOWN);
        assertThat(HolderProcess.judge(identityOf(999999998, 1) + "/x/1")).isEqualTo(HolderProcess.Verdict.UNKNOWN);
        String most = identityOf(999999998, 1) + deadPair.repeat(HolderProcess.MAX_PROCESSES - 1);
        assertThat(HolderProcess.judge(most)).isEqualTo(HolderProcess.Verdict.GONE);
        assertThat(HolderProcess.judge(most + deadPair)).as("too many").isEqualTo(HolderProcess.Verdict.UNKNOWN);
        assertThatThrownBy(() -> HolderProcess.withGuard(most, ProcessHandle.current()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 16");
        assertThat(HolderProcess.withGuard("", ProcessHandle.current())).as("no identity, no detection").isEmpty();
    }

    private static String identityOf(long pid, long start) {
        String[] self = HolderProcess.SELF.split("/");
        self[self.length - 2] = Long.toString(pid);
        self[self.length - 1] = Long.toString(start);
        return String.join("/", self);
    }

    private static String[] statFields(Path stat) throws IOException {
        String text = Files.readString(stat, StandardCharsets.US_ASCII);
        return text.substring(text.lastIndexOf(')') + 1).trim().split(" +");
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
