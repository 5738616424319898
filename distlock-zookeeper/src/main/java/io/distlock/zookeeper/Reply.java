package io.distlock.zookeeper;

import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

import java.util.List;

/** One asynchronous answer: a return code and, by operation, the data, the results or the children. */
record Reply(int rc, byte[] data, Stat stat, List<OpResult> results, List<String> children) {
    static Reply multi(int rc, List<OpResult> results) {
        return new Reply(rc, null, null, results, null);
    }

    static Reply data(int rc, byte[] data, Stat stat) {
        return new Reply(rc, data, stat, null, null);
    }

    static Reply children(int rc, List<String> children) {
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

    /** The Stat a multi's setData answered with. */
    Stat stat(int index) {
        return ((OpResult.SetDataResult) results.get(index)).getStat();
    }
}
