@NullMarked
package io.distlock.testkit;

import org.jspecify.annotations.NullMarked;
