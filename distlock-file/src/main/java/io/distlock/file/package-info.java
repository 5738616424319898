@NullMarked
package io.distlock.file;

import org.jspecify.annotations.NullMarked;
