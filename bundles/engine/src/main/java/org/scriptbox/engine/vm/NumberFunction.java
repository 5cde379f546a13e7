package org.scriptbox.engine.vm;

/**
 * A library function that compiled code may call with an unboxed number and get an unboxed number back
 * ({@code math.sqrt(x)} in a numeric loop): {@link #callNumber} does what calling it with that number as its one
 * argument does — the same call level, the same charge, the same result ({@code LuaValue.valueOf} of it is what the
 * call returns) — without a box on either side.
 */
public interface NumberFunction {
    double callNumber(double x);
}
