package io.distlock.zookeeper;

import io.distlock.spi.LockNames;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node names this backend has always written, pinned: a lock held by an older version must be
 * the same node for this one, or two holders could each hold "the" lock during a rolling upgrade.
 */
class ZooKeeperKeysTest {
    private static final Map<String, String> LOCK_NODES = Map.ofEntries(
            Map.entry("a", "l-a"),
            Map.entry("Az09-_.:", "l-Az09-_.:"),
            Map.entry("a/b", "l-a%2Fb"),
            Map.entry("../../etc", "l-..%2F..%2Fetc"),
            Map.entry("a+b~%", "l-a%2Bb%7E%25"),
            Map.entry(" ", "l-%20"),
            Map.entry("\u0000", "l-%00"),
            Map.entry("é", "l-%C3%A9"),
            Map.entry("名前", "l-%E5%90%8D%E5%89%8D"),
            Map.entry("🔒", "l-%F0%9F%94%92"),
            Map.entry("", "l-"),
            // An unpaired surrogate has no UTF-8 form; its node has always spelled its code unit.
            Map.entry("\ud800", "l-~D800"),
            Map.entry("x\udc00\ud800y", "l-x~DC00~D800y"),
            Map.entry("é\ud83d", "l-%C3%A9~D83D"));

    @Test
    void lockNodesArePinned() {
        LOCK_NODES.forEach((name, node) -> {
            assertThat(ZooKeeperKeys.lockNode(name)).as("node of %s", name).isEqualTo(node);
            assertThat(ZooKeeperKeys.lockName(node)).as("name of %s", node).contains(name);
        });
    }

    @Test
    void ownerMarkersArePinned() {
        assertThat(ZooKeeperKeys.ownerNode("o1", "a")).isEqualTo("o-o1+a");
        assertThat(ZooKeeperKeys.ownerNode("o1+a", "x/y")).isEqualTo("o-o1%2Ba+x%2Fy");
        assertThat(ZooKeeperKeys.ownerNode("host:42:ä", "\ud800")).isEqualTo("o-host:42:%C3%A4+~D800");
        assertThat(new ZooKeeperKeys("/apps/distlock").ownerPath("o", "a b"))
                .isEqualTo("/apps/distlock/owners/o-o+a%20b");
        assertThat(new ZooKeeperKeys("/apps/distlock").lockPath("a b")).isEqualTo("/apps/distlock/locks/l-a%20b");
    }

    @Test
    void everyWellFormedNameIsItsKeyBytesPercentEncoded() {
        for (String name : ZooKeeperBackendTest.TRICKY) {
            if (LockNames.unpairedSurrogate(name) < 0) {
                assertThat(ZooKeeperKeys.escape(name)).as(name)
                        .isEqualTo(LockNames.percentEncoded(LockNames.bytes(name), "-_.:", Integer.MAX_VALUE));
            }
        }
    }
}
