@NullMarked
package io.distlock.cli;

import org.jspecify.annotations.NullMarked;
