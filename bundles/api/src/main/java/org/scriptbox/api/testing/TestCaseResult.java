package org.scriptbox.api.testing;

import java.util.List;
import java.util.Objects;

/**
 * How one {@code test("name", function ... end)} ended.
 *
 * @param name         the case's name as the test file gives it
 * @param passed       whether it ran to its end without a failed assertion or an error
 * @param failure      why not: the failed assertion or the error with its file:line ({@code ramp_test.lua:9:
 *                     expected 100, got 80}), or the limit it broke; null when it passed
 * @param virtualSeconds the virtual time the case took (what its sleeps added up to)
 * @param instructions the Lua instructions it ran
 * @param output       the lines it printed or logged (the first ones, bounded)
 */
public record TestCaseResult(String name, boolean passed, String failure, double virtualSeconds, long instructions,
                             List<String> output) {
    public TestCaseResult {
        Objects.requireNonNull(name, "name");
        output = output == null ? List.of() : List.copyOf(output);
    }
}
