package io.distlock.spring;

import io.distlock.spi.LockBackend;
import org.jspecify.annotations.Nullable;

/**
 * Opens the backend {@code distlock.*} names when a URI alone is not enough: a backend module's own
 * builder, given the application's beans (distlock-jdbc on the application's {@code DataSource}).
 * A bean of this type comes only from a configuration conditional on that module being present, so
 * its classes are never loaded without it.
 */
@FunctionalInterface
interface BackendOpener {
    /**
     * The backend, or null when {@code distlock.uri} is not one this opener handles.
     *
     * @throws IllegalArgumentException naming the property whose value is wrong
     */
    @Nullable LockBackend open(DistlockProperties properties);
}
