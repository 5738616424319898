@NullMarked
package io.distlock.internal.locked;

import org.jspecify.annotations.NullMarked;
