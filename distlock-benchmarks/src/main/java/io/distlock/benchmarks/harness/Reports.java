package io.distlock.benchmarks.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Where a benchmark's table goes, and the versions its footer names. */
public final class Reports {
    private Reports() {
    }

    /** Prints the table and writes it to {@code target/<file>}. */
    public static void publish(String file, String table) throws IOException {
        System.out.println(table);
        Path out = Path.of("target", file);
        Files.createDirectories(out.getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);
    }

    /** "label version" from a jar's Maven metadata on the class path. */
    public static String mavenVersion(String group, String artifact, String label) {
        try (InputStream in = Reports.class.getResourceAsStream(
                "/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) {
                return label + " (version unknown)";
            }
            Properties properties = new Properties();
            properties.load(in);
            return label + " " + properties.getProperty("version");
        } catch (IOException e) {
            return label + " (version unknown)";
        }
    }

    /** What a command prints (a server's {@code --version}), trimmed; {@code fallback} if it cannot run. */
    public static String commandOutput(String fallback, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }

    /** The {@code index}-th argument as a number, or {@code otherwise} when absent. */
    public static int intArg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }
}
