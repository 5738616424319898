package io.distlock.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An exit status given as an option ({@code -E}): a whole number from 0 to 255, or a usage error naming it. */
final class ExitStatusConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        int status;
        try {
            status = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < 0 || status > 255) {
            throw new TypeConversionException("'" + value + "' is not an exit status: use a whole number from 0 to 255");
        }
        return status;
    }
}
