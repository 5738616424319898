@NullMarked
package io.distlock.benchmarks.startup;

import org.jspecify.annotations.NullMarked;
