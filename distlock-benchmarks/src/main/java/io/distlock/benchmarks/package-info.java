@NullMarked
package io.distlock.benchmarks;

import org.jspecify.annotations.NullMarked;
