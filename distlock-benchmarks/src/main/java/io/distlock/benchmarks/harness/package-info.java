@NullMarked
package io.distlock.benchmarks.harness;

import org.jspecify.annotations.NullMarked;
