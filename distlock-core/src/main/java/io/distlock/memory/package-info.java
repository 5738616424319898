@NullMarked
package io.distlock.memory;

import org.jspecify.annotations.NullMarked;
