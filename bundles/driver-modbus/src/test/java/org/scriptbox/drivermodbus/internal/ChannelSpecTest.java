package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.junit.Test;

/** Channel specs: every type and word order both ways, and every bad spec refused with what is wrong. */
public class ChannelSpecTest {
    private static ChannelSpec spec(String text) {
        return ChannelSpec.parse("c", text, 255);
    }

    private static String refusal(String text) {
        try {
            spec(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail(text + " was accepted");
        return null;
    }

    /** The registers a write puts on the wire (FC06: one, FC16: all). */
    private static int[] wire(ModbusRequest r) {
        if (r.function() == 6) {
            return new int[] {r.value()};
        }
        int[] w = new int[r.value()];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((r.data()[2 * i] & 0xff) << 8) | (r.data()[2 * i + 1] & 0xff);
        }
        return w;
    }

    @Test
    public void everyTypeAndWordOrderRoundTrips() {
        Map<String, double[]> cases = Map.of(
                "int16", new double[] {-12345, 32767, -32768},
                "uint16", new double[] {0, 54321, 65535},
                "int32", new double[] {-2_000_000_000, 123456789},
                "uint32", new double[] {4_000_000_000.0, 1},
                "float32", new double[] {1234.5, -0.15625},
                "int64", new double[] {-9_007_199_254_740_992.0, 1e15},
                "float64", new double[] {Math.PI, -1e300});
        for (var e : cases.entrySet()) {
            for (String order : List.of("", " words=little", " bytes=swapped", " words=little bytes=swapped")) {
                if (order.contains("little") && e.getKey().endsWith("16")) {
                    continue;
                }
                ChannelSpec c = spec("holding 10 " + e.getKey() + order + " access=rw");
                for (double v : e.getValue()) {
                    int[] words = wire(c.write(v));
                    double back = c.decode(words);
                    double expected = e.getKey().equals("float32") ? (float) v : v;
                    assertEquals(e.getKey() + order + " " + v, expected, back, 0.0);
                }
            }
        }
    }

    @Test
    public void wordOrderAndByteSwapPutTheDocumentedBytesOnTheWire() {
        // 1234.5f is 0x449A5000
        assertArrayEquals(new int[] {0x449A, 0x5000}, wire(spec("holding 0 float32 access=rw").write(1234.5)));
        assertArrayEquals(new int[] {0x5000, 0x449A}, wire(spec("holding 0 float32 words=little access=rw")
                .write(1234.5)));
        assertArrayEquals(new int[] {0x9A44, 0x0050}, wire(spec("holding 0 float32 bytes=swapped access=rw")
                .write(1234.5)));
        assertArrayEquals(new int[] {0x0050, 0x9A44}, wire(spec("holding 0 float32 words=little bytes=swapped "
                + "access=rw").write(1234.5)));
        assertEquals(0x12345678, (long) spec("input 0 uint32").decode(new int[] {0x1234, 0x5678}));
        assertEquals(0x12345678, (long) spec("input 0 uint32 words=little").decode(new int[] {0x5678, 0x1234}));
    }

    @Test
    public void scaleOffsetAndBits() {
        ChannelSpec t = spec("holding 0 int16 scale=0.1 offset=-40 access=rw");
        assertEquals(-40 + 215 * 0.1, t.decode(new int[] {215}), 1e-9);
        assertEquals(215, t.write(-18.5).value());
        assertEquals(-40 + -32768 * 0.1, t.minValue(), 1e-9);
        assertEquals(-40 + 32767 * 0.1, t.maxValue(), 1e-9);
        ChannelSpec bit = spec("input 3 bool bit=15");
        assertEquals(1.0, bit.decode(new int[] {0x8000}), 0);
        assertEquals(0.0, bit.decode(new int[] {0x7fff}), 0);
        assertEquals(5, spec("coil 7 bool access=rw").write(1).function());
        assertEquals(15, spec("coil 7 bool access=rw write=multiple").write(1).function());
        assertEquals(6, spec("holding 7 uint16 access=rw").write(1).function());
        assertEquals(16, spec("holding 7 uint16 access=rw write=multiple").write(1).function());
        assertEquals(16, spec("holding 7 float32 access=rw").write(1).function());
        assertEquals(7, spec("holding 7 uint16 unit=7 access=rw").write(1).unit());
    }

    /** Red team (session 5): 2.5 on an int32 wrote 2 (half-even, without a word), and ranges read in Java notation. */
    @Test
    public void aValueBetweenTwoStepsIsRefusedNotRoundedAndNumbersReadAsLua() {
        ChannelSpec i = spec("holding 0 int32 access=rw");
        for (double v : new double[] {2.5, 3.5, 0.1, -7.25}) {
            try {
                i.write(v);
                fail(v + " was written");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("between two steps of channel 'c'"));
            }
        }
        try {
            i.write(2.5);
        } catch (IllegalArgumentException e) {
            assertEquals("value 2.5 is between two steps of channel 'c' (int32): the nearest are 2 and 3", e.getMessage());
        }
        assertEquals(3, i.write(3.0).data()[3]);
        // scaled decimals stay writable: 21.5 / 0.1 is 215.00000000000003 in doubles
        assertEquals(215, spec("holding 0 int16 scale=0.1 access=rw").write(21.5).value());
        try {
            spec("holding 0 int16 scale=0.5 offset=1 access=rw").write(1.2);
            fail("1.2 was written");
        } catch (IllegalArgumentException e) {
            assertEquals("value 1.2 is between two steps of channel 'c' (int16, scale 0.5, offset 1): the nearest are 1"
                    + " and 1.5", e.getMessage());
        }
        try {
            spec("holding 0 int16 access=rw").write(1e10);
            fail("1e10 was written");
        } catch (IllegalArgumentException e) {
            assertEquals("value 10000000000 does not fit channel 'c' (int16, -32768 .. 32767)", e.getMessage());
        }
        try {
            spec("holding 0 int16 scale=0.001 access=rw").write(1e10);
            fail("1e10 was written");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("(int16, -32.768 .. 32.767)"));
        }
    }

    /**
     * Red team (session 6): values at and just past a scaled, offset channel's ends never round into a raw value
     * outside the type, and the ends themselves are writable (the range scripts are told is the one written).
     */
    @Test
    public void scaledAndOffsetEndsNeverRoundOutOfRange() {
        String[][] channels = {{"int16", "0.1", "0"}, {"uint16", "0.1", "-10"}, {"int32", "0.001", "5"},
                {"uint32", "0.01", "-40"}, {"int16", "3", "0.5"}};
        for (String[] c : channels) {
            ChannelSpec spec = spec("holding 0 " + c[0] + " scale=" + c[1] + " offset=" + c[2] + " access=rw safe=leave");
            for (double end : new double[] {spec.minValue(), spec.maxValue()}) {
                ModbusRequest r = spec.write(end);   // the ends are written as they are
                double raw = end == spec.minValue() ? spec.type().rawMin() : spec.type().rawMax();
                assertEquals(c[0] + " " + end, (long) raw, rawOf(spec, r));
                for (double past : new double[] {Math.nextUp(end), Math.nextDown(end), end + Double.parseDouble(c[1]) / 2,
                        end - Double.parseDouble(c[1]) / 2}) {
                    if (past == end) {
                        continue;
                    }
                    try {
                        long v = rawOf(spec, spec.write(past));
                        assertTrue(c[0] + " wrote " + past + " as " + v, v >= (long) spec.type().rawMin()
                                && v <= (long) spec.type().rawMax());
                    } catch (IllegalArgumentException e) {
                        assertTrue(e.getMessage(), e.getMessage().contains("does not fit")
                                || e.getMessage().contains("between two steps"));
                    }
                }
            }
        }
    }

    private static long rawOf(ChannelSpec spec, ModbusRequest r) {
        byte[] d = r.data();
        if (d == null) {
            return spec.type() == ChannelSpec.Type.INT16 ? (short) r.value() : r.value();
        }
        long bits = 0;
        for (byte b : d) {
            bits = (bits << 8) | (b & 0xff);
        }
        return spec.type() == ChannelSpec.Type.INT32 ? (int) bits : bits;
    }

    @Test
    public void aValueThatDoesNotFitIsNotSent() {
        for (String[] c : new String[][] {{"uint16", "-1"}, {"uint16", "65536"}, {"int16", "32768"},
                {"uint32", "4294967296"}, {"int64", "9.3e18"}, {"float32", "1e39"}}) {
            try {
                spec("holding 0 " + c[0] + " access=rw").write(Double.parseDouble(c[1]));
                fail(c[0] + " took " + c[1]);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("does not fit channel 'c'"));
            }
        }
        try {
            spec("holding 0 uint16").write(1);
            fail("a read-only channel was written");
        } catch (IllegalArgumentException e) {
            assertEquals("channel 'c' is read-only", e.getMessage());
        }
    }

    @Test
    public void badSpecsAreRefusedSayingWhy() {
        assertEquals(ChannelSpec.FORMAT, refusal("holding 1"));
        assertEquals("table 'hold' is not coil, discrete, holding or input", refusal("hold 1 int16"));
        assertEquals("address '65536' is not a whole number in 0..65535", refusal("holding 65536 int16"));
        assertEquals("address '١٠' is not a whole number in 0..65535", refusal("holding ١٠ int16"));
        assertEquals("a float64 at 65533 runs past register 65535", refusal("holding 65533 float64"));
        assertEquals("type 'int8' is not bool, int16, uint16, int32, uint32, float32, int64 or float64",
                refusal("holding 1 int8"));
        assertEquals("a coil is a bit: its type is bool", refusal("coil 1 int16"));
        assertEquals("a bool in a register needs bit=0..15", refusal("holding 1 bool"));
        assertEquals("bit '16' is not a whole number in 0..15", refusal("holding 1 bool bit=16"));
        assertEquals("a discrete cannot be written (access=rw is for coil or holding)",
                refusal("discrete 1 bool access=rw"));
        assertEquals("a input cannot be written (access=rw is for coil or holding)", refusal("input 1 int16 access=rw"));
        assertTrue(refusal("holding 1 bool bit=3 access=rw").startsWith("a bit of a register cannot be written"));
        assertEquals("scale must be above 0", refusal("holding 1 int16 scale=-1"));
        assertEquals("scale 'NaN' is not a finite decimal number", refusal("holding 1 int16 scale=NaN"));
        assertEquals("offset '1e999' is not a finite decimal number", refusal("holding 1 int16 offset=1e999"));
        assertEquals("unit '256' is not a whole number in 0..255", refusal("holding 1 int16 unit=256"));
        assertEquals("words=little needs a type of two or four registers", refusal("holding 1 int16 words=little"));
        assertEquals("words=middle: expected words=big or words=little", refusal("holding 1 int32 words=middle"));
        assertEquals("a float32 spans 2 registers: only write=multiple (FC16) writes it at once",
                refusal("holding 1 float32 access=rw write=single"));
        assertEquals("write= needs access=rw", refusal("holding 1 int16 write=multiple"));
        assertTrue(refusal("holding 1 int16 colour=red").startsWith("unknown option 'colour'"));
        assertEquals("option 'scale=1' is not name=value or is given twice", refusal("holding 1 int16 scale=1 scale=1"));
        assertEquals("a bool takes no scale or offset", refusal("coil 1 bool scale=2"));
        try {
            ChannelSpec.parse("unit 2", "holding 1 int16", 247);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("the channel name"));
        }
        assertEquals("unit '248' is not a whole number in 0..247", refusalRtu("holding 1 int16 unit=248"));
    }

    private static String refusalRtu(String text) {
        try {
            ChannelSpec.parse("c", text, 247);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail(text + " was accepted");
        return null;
    }

    @Test
    public void batchesCoverContiguousChannelsWithinTheLimits() {
        List<ChannelSpec> regs = List.of(spec("holding 0 float32"), ChannelSpec.parse("b", "holding 2 uint16", 255),
                ChannelSpec.parse("d", "holding 5 int16", 255), ChannelSpec.parse("e", "input 3 int16", 255),
                ChannelSpec.parse("f", "holding 3 int16 unit=2", 255));
        List<ReadPlan.Batch> contiguous = ReadPlan.plan(regs, ModbusSettings.Batching.DEFAULT);
        assertEquals(List.of("holding 0+3 [c, b]", "holding 5+1 [d]", "input 3+1 [e]", "holding 3+1 [f]"),
                contiguous.stream().map(ChannelSpecTest::show).toList());
        List<ReadPlan.Batch> gap = ReadPlan.plan(regs, new ModbusSettings.Batching(2, 125, 2000));
        assertEquals("holding 0+6 [c, b, d]", show(gap.get(0)));
        List<ReadPlan.Batch> small = ReadPlan.plan(regs, new ModbusSettings.Batching(2, 3, 2000));
        assertEquals("holding 0+3 [c, b]", show(small.get(0)));
        // 300 contiguous registers: ceil(300/125) requests
        List<ChannelSpec> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(ChannelSpec.parse("r" + i, "input " + i + " uint16", 255));
        }
        assertEquals(3, ReadPlan.plan(many, ModbusSettings.Batching.DEFAULT).size());
        List<ChannelSpec> bits = new java.util.ArrayList<>();
        for (int i = 0; i < 4001; i++) {
            bits.add(ChannelSpec.parse("b" + i, "coil " + i + " bool", 255));
        }
        assertEquals(3, ReadPlan.plan(bits, ModbusSettings.Batching.DEFAULT).size());
    }

    private static String show(ReadPlan.Batch b) {
        return b.table().word + " " + b.start() + "+" + b.count() + " " + b.channels().stream().map(ChannelSpec::name)
                .toList();
    }
}
