@NullMarked
package io.distlock.micrometer;

import org.jspecify.annotations.NullMarked;
