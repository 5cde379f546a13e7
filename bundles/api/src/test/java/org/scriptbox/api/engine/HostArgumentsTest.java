package org.scriptbox.api.engine;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;

public class HostArgumentsTest {
    @Test
    public void luaTypeNamesOfConvertedValues() {
        assertEquals("nil boolean number number string table table userdata", String.join(" ", HostArguments.typeName(null),
                HostArguments.typeName(true), HostArguments.typeName(1.5), HostArguments.typeName(3L), HostArguments.typeName("x"),
                HostArguments.typeName(Map.of()), HostArguments.typeName(List.of()), HostArguments.typeName(new Object())));
    }

    @Test
    public void aBadArgumentCountsFromOne() {
        ScriptCallException e = HostArguments.bad("device_read", 1, "channel", "expected a string, got nil");
        assertEquals(ErrorKind.RUNTIME, e.kind());
        assertEquals("device_read: bad argument #2 'channel': expected a string, got nil", e.getMessage());
    }
}
