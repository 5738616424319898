@NullMarked
package io.distlock.benchmarks.zookeeper;

import org.jspecify.annotations.NullMarked;
