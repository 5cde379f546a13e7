package org.scriptbox.api.testing;

import org.osgi.annotation.versioning.ProviderType;

/** Runs a script's tests: {@code NAME_test.lua} beside {@code NAME.lua} in the deploy folder. */
@ProviderType
public interface ScriptTests {
    /** The file name of a script's tests: {@code ramp_test.lua} for {@code ramp}. */
    String SUFFIX = "_test.lua";

    /**
     * Runs every case of the script's test file, each in a fresh execution (fresh globals, fresh mocks, the virtual
     * clock at 0) with the script's limits and permissions. Never throws for a problem of the script or its tests:
     * that is the report's {@link TestReport#problem()} or a failed case. An interrupt of the calling thread (the
     * console's Ctrl-C) cancels the case running and ends the run: the report has the cases that ran and the
     * problem {@code cancelled after N case(s)} (the interrupt is consumed by that answer).
     */
    TestReport run(String scriptName);
}
