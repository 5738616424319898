@NullMarked
package io.distlock.spring;

import org.jspecify.annotations.NullMarked;
