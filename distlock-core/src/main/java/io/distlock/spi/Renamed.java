package io.distlock.spi;

import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Function;

/**
 * One backend setting under its word of the vocabulary ({@code timeout}, {@code connectTimeout},
 * {@code notifications}, {@code namespace}: docs/lock-contract.md, "Vocabulary") and under the old
 * word it had before, which stays accepted for one minor version. A builder keeps one per renamed
 * setting, its new method calling {@link #set}, its deprecated one {@link #setOld}; a URI fills it
 * from both parameters with {@link #from}. {@link #resolve} then gives the value, refuses the two
 * words with different values (whichever came last would otherwise win silently) and logs one
 * warning for the old word, once per backend built.
 *
 * <p>Not thread-safe, like the builders that hold it.
 *
 * @param <T> the setting's type
 */
public final class Renamed<T> {
    private final String word;
    private final String oldWord;
    private T value;
    private T oldValue;

    /**
     * @param word    the vocabulary's word, such as {@code timeout}
     * @param oldWord the word it replaces, such as {@code operationTimeout}, or null if it had none
     */
    public Renamed(String word, String oldWord) {
        this.word = word;
        this.oldWord = oldWord;
    }

    /** The vocabulary's word. */
    public String word() {
        return word;
    }

    /** The deprecated word. */
    public String oldWord() {
        return oldWord;
    }

    /** The value given under the vocabulary's word (the builder has checked it). */
    public Renamed<T> set(T value) {
        this.value = value;
        return this;
    }

    /** The value given under the deprecated word (the builder has checked it). */
    public Renamed<T> setOld(T value) {
        this.oldValue = value;
        return this;
    }

    /** True if either word was given. */
    public boolean isSet() {
        return value != null || oldValue != null;
    }

    /**
     * Takes the URI's parameters under both words, each read with {@code read} (given the
     * parameter's name), when present.
     *
     * @throws IllegalArgumentException naming the URI and both parameters if both are present
     *                                  with different values, or whatever {@code read} throws
     */
    public Renamed<T> from(BackendUri uri, Function<String, T> read) {
        T newValue = uri.has(word) ? read.apply(word) : null;
        T old = oldWord != null && uri.has(oldWord) ? read.apply(oldWord) : null;
        if (newValue != null && old != null && !newValue.equals(old)) {
            throw uri.invalid("has " + oldWord + "=" + uri.parameters().get(oldWord) + " and " + word + "="
                    + uri.parameters().get(word) + ", one setting with two values (" + clash() + ")");
        }
        if (newValue != null) {
            value = newValue;
        }
        if (old != null) {
            oldValue = old;
        }
        return this;
    }

    /**
     * The value given (the vocabulary's word first), or {@code fallback} if neither word was; logs
     * one warning if the deprecated word was given.
     *
     * @param logAs the backend's class, whose logger gets the warning (so the backend's module
     *              needs no logging API of its own)
     * @param where names the backend in the warning and the error (no secrets: a masked URI)
     * @throws IllegalArgumentException naming both words if both were given with different values
     */
    public T resolve(T fallback, Class<?> logAs, String where) {
        if (value != null && oldValue != null && !value.equals(oldValue)) {
            throw new IllegalArgumentException(where + ": " + oldWord + " " + show(oldValue) + " and " + word + " "
                    + show(value) + " are one setting with two values (" + clash() + ")");
        }
        if (oldValue != null) {
            LoggerFactory.getLogger(logAs).warn("{}: {} is deprecated, use {} (the old name goes in a later minor version)", where, oldWord, word);
        }
        return value != null ? value : oldValue != null ? oldValue : fallback;
    }

    private String clash() {
        return oldWord + " is the deprecated name of " + word + "; give only " + word;
    }

    private static String show(Object value) {
        return value instanceof Duration d ? Durations.formatExact(d) : String.valueOf(value);
    }

    @Override
    public String toString() {
        return "Renamed{" + word + "=" + show(value) + ", " + oldWord + "=" + show(oldValue) + "}";
    }
}
