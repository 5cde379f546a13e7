package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

public class PasswordHashTest {

    @Test
    public void hashMatchesItsPasswordOnlyAndSurvivesItsTextForm() {
        PasswordHash h = PasswordHash.create("correct horse".toCharArray());
        PasswordHash back = PasswordHash.parse(h.encoded());
        assertTrue(back.matches("correct horse".toCharArray()));
        assertFalse(back.matches("correct horsf".toCharArray()));
        assertTrue(h.encoded().startsWith("pbkdf2-sha256$210000$"));
    }

    @Test
    public void sameSecretGetsADifferentSaltEachTime() {
        assertNotEquals(PasswordHash.create("x".toCharArray()).encoded(), PasswordHash.create("x".toCharArray()).encoded());
    }

    @Test
    public void weakOrPlainValuesAreRefusedWithoutEchoingThem() {
        String weak = PasswordHash.create("pw".toCharArray()).encoded().replace("$210000$", "$1000$");
        for (String bad : new String[] {"hunter2", weak, "pbkdf2-sha256$x$y$z", "pbkdf2-sha256$210000$!!$!!"}) {
            try {
                PasswordHash.parse(bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertFalse(e.getMessage().contains("hunter2"));
            }
        }
    }

    @Test
    public void sha256IsStableAndUrlSafe() {
        assertEquals(PasswordHash.sha256("abc"), PasswordHash.sha256("abc"));
        assertTrue(PasswordHash.sha256("abc").matches("[A-Za-z0-9_-]{43}"));
    }
}
