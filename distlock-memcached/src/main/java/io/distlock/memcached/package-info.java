@NullMarked
package io.distlock.memcached;

import org.jspecify.annotations.NullMarked;
