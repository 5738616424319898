package io.distlock.zookeeper;

import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * One asynchronous answer: a return code and, by operation, the data, the results or the children.
 * Each is null when the operation does not give it, and may be null when the code is not OK.
 */
record Reply(int rc, byte @Nullable [] data, @Nullable Stat stat, @Nullable List<OpResult> results,
             @Nullable List<String> children) {
    static Reply multi(int rc, @Nullable List<OpResult> results) {
        return new Reply(rc, null, null, results, null);
    }

    static Reply data(int rc, byte @Nullable [] data, @Nullable Stat stat) {
        return new Reply(rc, data, stat, null, null);
    }

    static Reply children(int rc, @Nullable List<String> children) {
        return new Reply(rc, null, null, null, children);
    }

    /** The index of the operation that failed a multi, or -1. */
    int failedIndex() {
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error && error.getErr() != Code.OK.intValue()
                    && error.getErr() != Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    /** The Stat a multi's setData answered with; asked of an OK multi, which answers every operation. */
    Stat stat(int index) {
        return ((OpResult.SetDataResult) Objects.requireNonNull(results, "an OK multi has results").get(index)).getStat();
    }

    /** The node's Stat; asked of an OK read, which always carries one. */
    Stat okStat() {
        return Objects.requireNonNull(stat, "an OK read has a Stat");
    }

    /** The children listed; asked of an OK list, which always carries them. */
    List<String> okChildren() {
        return Objects.requireNonNull(children, "an OK list has children");
    }
}
