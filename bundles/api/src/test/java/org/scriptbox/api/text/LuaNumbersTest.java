package org.scriptbox.api.text;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** Numbers as Lua 5.4's tostring writes them (checked against lua5.4; an integer-valued float is written as an integer, since Luaj has no integer subtype). */
public class LuaNumbersTest {
    @Test
    public void numbersReadAsLuaWritesThem() {
        assertEquals("25", LuaNumbers.format(25.0));
        assertEquals("25", LuaNumbers.format(25L));
        assertEquals("0.1", LuaNumbers.format(0.1));
        assertEquals("10000000000", LuaNumbers.format(1e10));
        assertEquals("1e+100", LuaNumbers.format(1e100));
        assertEquals("1.7976931348623e+308", LuaNumbers.format(Double.MAX_VALUE));
        assertEquals("-179769313.98623", LuaNumbers.format(-1.7976931348623157E8 - 0.5));
        assertEquals("1e-05", LuaNumbers.format(1e-5));
        assertEquals("0.00012", LuaNumbers.format(1.2e-4));
        assertEquals("3.1415926535898", LuaNumbers.format(Math.PI));
        assertEquals("inf", LuaNumbers.format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", LuaNumbers.format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", LuaNumbers.format(Double.NaN));
        assertEquals("-0", LuaNumbers.format(-0.0));
    }
}
