package io.distlock.benchmarks.harness;

/**
 * One implementation under measurement: how to open a client of it (once per client a scenario
 * asks for, fresh for every slice).
 *
 * @param shortName how a ratio against it names it ("raw", "Redisson"); may be empty
 */
public record Contender(String id, String label, String shortName, Opener opener) {

    @FunctionalInterface
    public interface Opener {
        LockClient open() throws Exception;
    }

    public Contender(String id, String label, Opener opener) {
        this(id, label, "", opener);
    }
}
