package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class VersionRangeTest {
    private static boolean in(String range, String version) {
        return VersionRange.parse(range).includes(SemVer.parse(version));
    }

    @Test
    public void semverOrdering() {
        assertTrue(SemVer.parse("1.0.0-alpha").compareTo(SemVer.parse("1.0.0-alpha.1")) < 0);
        assertTrue(SemVer.parse("1.0.0-alpha.1").compareTo(SemVer.parse("1.0.0-beta")) < 0);
        assertTrue(SemVer.parse("1.0.0-rc.1").compareTo(SemVer.parse("1.0.0")) < 0);
        assertTrue(SemVer.parse("1.10.0").compareTo(SemVer.parse("1.9.9")) > 0);
        assertEquals(0, SemVer.parse("1.0.0+a").compareTo(SemVer.parse("1.0.0+b")));
        assertFalse(SemVer.isValid("1.0"));
        assertFalse(SemVer.isValid("01.0.0"));
    }

    @Test
    public void comparatorsAndShorthands() {
        assertTrue(in(">=1.0.0 <2.0.0", "1.9.9"));
        assertFalse(in(">=1.0.0 <2.0.0", "2.0.0"));
        assertTrue(in("^1.2", "1.9.0"));
        assertFalse(in("^1.2", "1.1.9"));
        assertFalse(in("^1.2", "2.0.0"));
        assertTrue(in("^0.2.3", "0.2.9"));
        assertFalse(in("^0.2.3", "0.3.0"));
        assertTrue(in("~1.2.3", "1.2.9"));
        assertFalse(in("~1.2.3", "1.3.0"));
        assertTrue(in("1.2.3", "1.2.3"));
        assertFalse(in("1.2.3", "1.2.4"));
        assertTrue(in("=1.2", "1.2.7"));
        assertTrue(in("*", "0.0.1"));
        assertTrue(in("", "9.9.9"));
    }

    @Test
    public void dependencyTexts() {
        assertEquals("helpers", Dependency.parse("helpers").name());
        assertTrue(Dependency.parse("helpers >=1.0.0 <2.0.0").range().includes(SemVer.parse("1.5.0")));
        assertEquals("helpers ^1.0", Dependency.parse("  helpers   ^1.0 ").toString().replaceAll("\\s+", " "));
    }

    @Test(expected = IllegalArgumentException.class)
    public void garbageRangeIsRefused() {
        VersionRange.parse("about 1");
    }
}
