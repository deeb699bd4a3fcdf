package dev.eve4j.schema;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;

/**
 * A schema that cannot be compiled: a keyword with a value of the wrong type or range, a pattern
 * that is not a regular expression, a {@code $ref} that does not resolve inside the document. The
 * message names the keyword and its location in the schema ({@code #/properties/a/minLength}).
 * It is a {@link ErrorCode#BAD_REQUEST} so that a client-supplied schema (an {@code outputSchema})
 * maps to a 400 like any other bad input. Immutable.
 */
public final class SchemaException extends EveException {
  SchemaException(String message) {
    super(ErrorCode.BAD_REQUEST, message);
  }
}
