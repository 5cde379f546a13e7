package org.scriptbox.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class LoadGateTest {
    private static final long MAX = 1000;

    @Test
    public void heapOverItsThresholdRefusesAtOnce() {
        LoadGate gate = new LoadGate(0.9, 0.8, 3);
        assertFalse(gate.overloaded(0.1, 800, MAX));
        assertTrue(gate.overloaded(0.1, 801, MAX));
        assertEquals("heap 80% > 80%", gate.reason(0.1, 801, MAX).replace("80.1", "80"));
        assertFalse(gate.overloaded(0.1, 500, MAX));
    }

    @Test
    public void cpuMustStayHighForSeveralSamples() {
        LoadGate gate = new LoadGate(0.9, 0.99, 3);
        assertFalse(gate.overloaded(0.95, 0, MAX));
        assertFalse(gate.overloaded(0.97, 0, MAX));
        assertTrue(gate.overloaded(0.99, 0, MAX));
        assertTrue(gate.reason(0.99, 0, MAX).startsWith("process CPU 99% > 90%"));
        assertFalse("one low sample resets the count", gate.overloaded(0.2, 0, MAX));
        assertFalse(gate.overloaded(0.95, 0, MAX));
    }

    @Test
    public void thresholdsOfOneDisableTheChecksAndUnknownCpuIsIgnored() {
        LoadGate gate = new LoadGate(1.0, 1.0, 1);
        assertFalse(gate.overloaded(1.0, MAX, MAX));
        LoadGate cpuOnly = new LoadGate(0.5, 1.0, 1);
        assertFalse(cpuOnly.overloaded(-1, 0, MAX));
        assertFalse("no heap limit", new LoadGate(1.0, 0.5, 1).overloaded(0, 10, -1));
    }
}
