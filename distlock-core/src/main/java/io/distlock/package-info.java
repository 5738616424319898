@NullMarked
package io.distlock;

import org.jspecify.annotations.NullMarked;
