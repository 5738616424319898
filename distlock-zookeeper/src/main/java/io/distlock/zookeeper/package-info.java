@NullMarked
package io.distlock.zookeeper;

import org.jspecify.annotations.NullMarked;
