package io.distlock.cli;

import io.distlock.testkit.server.TestBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The two recipes of the README's "Locking part of a script", taken from the README as they are
 * written there and run by bash and python3 with {@code distlock} (the launcher) and a stand-in
 * for {@code import-data} on the PATH. The stand-in is the locked part: it proves that another
 * {@code run --wait 0} of the same name is refused with 75 while the recipe holds the lock, and
 * that the token the recipe passes is the holder's. Once the recipe has ended, the lock is free.
 * On the file backend and on a private redis-server.
 */
@Timeout(300)
class DistlockHoldRecipesIT {
    private static final String LOCK = "nightly-import";
    /** A whole recipe starts three to four JVMs, one after the other. */
    private static final Duration RECIPE_DEADLINE = Launcher.DEADLINE.multipliedBy(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The locked part: records what the test checks afterwards in $RESULTS. */
    private static final String IMPORT_DATA = String.join("\n",
            "#!/usr/bin/env bash",
            "set -u",
            "if [ \"$#\" -ne 2 ] || [ \"$1\" != --fencing-token ]; then",
            "  echo \"import-data: expected --fencing-token N, got: $*\" >&2; exit 2",
            "fi",
            "echo \"$2\" > \"$RESULTS/token\"",
            "distlock run --wait 0 --name " + LOCK + " -- true 2>\"$RESULTS/busy.err\"",
            "echo $? > \"$RESULTS/busy\"",
            "distlock status --json " + LOCK + " > \"$RESULTS/status.json\"",
            "if [ -n \"${FORCE_RELEASE:-}\" ]; then distlock release --force " + LOCK + " >/dev/null || exit 4; fi",
            "");

    private static ServerProcess redis;

    @TempDir
    Path temp;

    @BeforeAll
    static void startRedis() {
        redis = TestBackend.REDIS.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close(); // stops it by pid and deletes its temporary directory
        }
    }

    private String files() {
        return "file:" + temp.resolve("locks");
    }

    private static String redisUri() {
        return TestBackend.REDIS.uri(redis);
    }

    enum Language {
        BASH("bash", "bash", "recipe.sh"),
        PYTHON("python", "python3", "recipe.py");

        final String fence;
        final String interpreter;
        final String file;

        Language(String fence, String interpreter, String file) {
            this.fence = fence;
            this.interpreter = interpreter;
            this.file = file;
        }
    }

    /** The first {@code ```LANGUAGE} block of the README's section "Locking part of a script". */
    static String recipe(Language language) throws IOException {
        Path readme = Launcher.SCRIPT.getParent().resolve("distlock-cli").resolve("README.md");
        String text = Files.readString(readme);
        int section = text.indexOf("\n## Locking part of a script\n");
        assertThat(section).as("the section in %s", readme).isNotNegative();
        int sectionEnd = text.indexOf("\n## ", section + 1);
        String fence = "\n```" + language.fence + "\n";
        int start = text.indexOf(fence, section);
        assertThat(start).as("a %s block in the section", language.fence).isBetween(section, sectionEnd);
        int end = text.indexOf("\n```\n", start + fence.length());
        return text.substring(start + fence.length(), end + 1);
    }

    record Outcome(int status, String out, String err, Path results) {
        String result(String name) throws IOException {
            Path file = results.resolve(name);
            return Files.exists(file) ? Files.readString(file).trim() : null;
        }

        @Override
        public String toString() {
            return "exit " + status + ", stdout [" + out + "], stderr [" + err + "]";
        }
    }

    private Outcome runRecipe(Language language, String backendUri, UnaryOperator<String> edit,
                              Map<String, String> environment) throws IOException, InterruptedException {
        requireOnPath(language.interpreter);
        Path dir = Files.createTempDirectory(temp, language.fence + "-");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("distlock"), Launcher.SCRIPT);
        Path importData = bin.resolve("import-data");
        Files.writeString(importData, IMPORT_DATA);
        Files.setPosixFilePermissions(importData, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path results = Files.createDirectory(dir.resolve("results"));
        Path script = dir.resolve(language.file);
        Files.writeString(script, edit.apply(recipe(language)));

        ProcessBuilder builder = new ProcessBuilder(language.interpreter, script.toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put(BackendOption.VARIABLE, backendUri);
        env.put("RESULTS", results.toString());
        env.remove("DISTLOCK_DEBUG");
        env.putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(RECIPE_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("the " + language.fence + " recipe did not end within " + RECIPE_DEADLINE.toSeconds() + " s; stderr: "
                    + Files.readString(dir.resolve("err.txt")));
        }
        return new Outcome(process.exitValue(), Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")), results);
    }

    /** A missing interpreter fails the test with the command that installs it, rather than skipping it. */
    static void requireOnPath(String binary) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= Files.isExecutable(Path.of(dir, binary));
        }
        if (!found) {
            fail(binary + " is needed to test hold from a script: apt-get install -y " + binary);
        }
    }

    /** The recipe ran its locked part under the lock, and left the lock free. */
    private void assertLockedPartRanUnderTheLock(Outcome outcome, String backendUri) throws IOException {
        assertThat(outcome.status()).as("%s", outcome).isZero();
        assertThat(outcome.result("busy")).as("a second run while the recipe held the lock; %s", outcome)
                .isEqualTo("75");
        assertThat(outcome.result("busy.err")).contains("lock '" + LOCK + "' is held by");
        long token = Long.parseLong(outcome.result("token"));
        JsonNode held = JSON.readTree(outcome.result("status.json"));
        assertThat(held.get("held").asBoolean()).isTrue();
        assertThat(held.get("token").asLong()).as("the holder's token is the recipe's").isEqualTo(token);

        Finished after = new Launcher(temp, backendUri).run("status", LOCK);
        assertThat(after.status()).as("free once the recipe ended: %s", after).isEqualTo(1);
    }

    @Test
    void theBashRecipeLocksItsPart_onTheFileBackend() throws Exception {
        assertLockedPartRanUnderTheLock(runRecipe(Language.BASH, files(), recipe -> recipe, Map.of()), files());
    }

    @Test
    void thePythonRecipeLocksItsPart_onTheFileBackend() throws Exception {
        assertLockedPartRanUnderTheLock(runRecipe(Language.PYTHON, files(), recipe -> recipe, Map.of()), files());
    }

    @Test
    void theBashRecipeLocksItsPart_onRedis() throws Exception {
        assertLockedPartRanUnderTheLock(runRecipe(Language.BASH, redisUri(), recipe -> recipe, Map.of()), redisUri());
    }

    @Test
    void thePythonRecipeLocksItsPart_onRedis() throws Exception {
        assertLockedPartRanUnderTheLock(runRecipe(Language.PYTHON, redisUri(), recipe -> recipe, Map.of()),
                redisUri());
    }

    /** The recipes' "no line" branch, with the README's wait of a minute cut to 0. */
    @Test
    void aBusyLockEndsTheRecipesWithoutRunningTheLockedPart() throws Exception {
        Launcher distlock = new Launcher(temp, files());
        Running holder = distlock.start("hold", LOCK);
        try {
            holder.awaitOutLine();

            Outcome bash = runRecipe(Language.BASH, files(), noWait("--wait 1m", "--wait 0"), Map.of());
            assertThat(bash.status()).as("hold's 75, %s", bash).isEqualTo(75);
            assertThat(bash.err()).contains("lock '" + LOCK + "' is held by");
            assertThat(bash.result("token")).as("the locked part did not run").isNull();

            Outcome python = runRecipe(Language.PYTHON, files(), noWait("\"--wait\", \"1m\"", "\"--wait\", \"0\""),
                    Map.of());
            assertThat(python.status()).as("%s", python).isEqualTo(1);
            assertThat(python.err()).contains("lock '" + LOCK + "' is held by",
                    "RuntimeError: distlock hold " + LOCK + " exited 75");
            assertThat(python.result("token")).as("the locked part did not run").isNull();
        } finally {
            holder.kill();
        }
    }

    private static UnaryOperator<String> noWait(String written, String instead) {
        return recipe -> {
            assertThat(recipe).contains(written);
            return recipe.replace(written, instead);
        };
    }

    /** The locked part force-releases the lock: the release finds it gone, and each recipe says so. */
    @Test
    void aLockLostDuringTheLockedPartFailsTheRecipes() throws Exception {
        Outcome bash = runRecipe(Language.BASH, files(), recipe -> recipe, Map.of("FORCE_RELEASE", "1"));
        assertThat(bash.status()).as("%s", bash).isEqualTo(1);
        assertThat(bash.err()).contains("distlock: lost lock '" + LOCK + "' while holding it",
                "the lock was lost during the import");

        Outcome python = runRecipe(Language.PYTHON, files(), recipe -> recipe, Map.of("FORCE_RELEASE", "1"));
        assertThat(python.status()).as("%s", python).isEqualTo(1);
        assertThat(python.err()).contains("distlock: lost lock '" + LOCK + "' while holding it",
                "RuntimeError: lock " + LOCK + " was lost while held (distlock hold exited 125)");
    }

    /**
     * SIGKILL of hold runs no release: on a server backend the lock stays until its lease ends
     * (then another run gets it, with a larger token).
     */
    @Test
    void holdKilledWithSigkillOnRedis_theLockStaysUntilItsLease() throws Exception {
        Launcher distlock = new Launcher(temp, redisUri());
        Running holder = distlock.start("hold", "killed", "--expires", "15s");
        String line = holder.awaitOutLine();
        long token = Long.parseLong(line.substring(line.indexOf("DISTLOCK_TOKEN=") + "DISTLOCK_TOKEN=".length()));
        holder.process.destroyForcibly();
        assertThat(holder.process.waitFor(Launcher.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        Finished status = distlock.run("status", "--json", "killed");
        assertThat(status.status()).as("still held by the dead hold: %s", status).isZero();
        assertThat(JSON.readTree(status.out()).get("pid").asLong()).isEqualTo(holder.pid());

        Path next = temp.resolve("next-token");
        Finished after = distlock.start("run", "--wait", "60s", "--name", "killed", "--", "sh", "-c",
                "echo $DISTLOCK_TOKEN > \"$0\"", next.toString()).finish(Duration.ofSeconds(90));
        assertThat(after.status()).as("%s", after).isZero();
        assertThat(Long.parseLong(Files.readString(next).trim())).isGreaterThan(token);
    }
}
