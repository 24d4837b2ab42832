package dev.atrium.api.validation;

/**
 * One way a request breaks the contract: {@code field} is a JSON pointer into the body
 * ({@code /events/3/action}, {@code /} for the body itself) or a parameter's name.
 */
public record Violation(String field, String message) {
}
