@NullMarked
package io.distlock.internal;

import org.jspecify.annotations.NullMarked;
