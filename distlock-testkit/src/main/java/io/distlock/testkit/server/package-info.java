@NullMarked
package io.distlock.testkit.server;

import org.jspecify.annotations.NullMarked;
