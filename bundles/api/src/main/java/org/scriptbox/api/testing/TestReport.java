package org.scriptbox.api.testing;

import java.util.List;
import java.util.Objects;

/**
 * What a script's test run found.
 *
 * @param scriptName the script tested
 * @param testFile   the test file's name ({@code ramp_test.lua}), or null if there is none
 * @param cases      every case in the order of the file, or as many as ran before a problem
 * @param problem    why the tests could not run (no script, no test file, a compile error with file:line:column,
 *                   an error outside every case), or null
 */
public record TestReport(String scriptName, String testFile, List<TestCaseResult> cases, String problem) {
    public TestReport {
        Objects.requireNonNull(scriptName, "scriptName");
        cases = cases == null ? List.of() : List.copyOf(cases);
    }

    public static TestReport problem(String scriptName, String testFile, String problem) {
        return new TestReport(scriptName, testFile, List.of(), problem);
    }

    public long passed() {
        return cases.stream().filter(TestCaseResult::passed).count();
    }

    public long failed() {
        return cases.size() - passed();
    }

    /** True when the tests ran, there was at least one case and every case passed. */
    public boolean ok() {
        return problem == null && !cases.isEmpty() && failed() == 0;
    }
}
