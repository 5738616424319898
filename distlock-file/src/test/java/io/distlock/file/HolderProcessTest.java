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
        // 'sleep 0' becomes the child of 'sleep 30', which never reaps it: a zombie until we end.
        Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
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
