@NullMarked
package io.distlock.benchmarks.memcached;

import org.jspecify.annotations.NullMarked;
