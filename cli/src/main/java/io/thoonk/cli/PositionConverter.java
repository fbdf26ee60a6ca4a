package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.Position;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sorted-feed positions in the contract notation ({@code begin:}, {@code :end}, {@code :X}, {@code X:}). */
final class PositionConverter implements ITypeConverter<Position> {

    @Override
    public Position convert(String value) {
        try {
            return Position.parse(value);
        } catch (InvalidArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
