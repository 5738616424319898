package io.distlock.file;

import java.io.IOException;

/** The bytes of a stripe file are not what this code writes. */
final class CorruptStripeException extends IOException {
    CorruptStripeException(String message) {
        super(message);
    }
}
