package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.Test;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

public class MetadataSizesTest {
    private final TomlMetadataCodec codec = new TomlMetadataCodec();

    private ScriptError refused(String toml) {
        try {
            codec.parse(toml, "big.toml", "big", new ArrayList<>());
        } catch (ScriptException e) {
            return e.error();
        }
        fail("accepted");
        return null;
    }

    @Test
    public void aHugeDescriptionIsRefusedAtItsLine() {
        ScriptError e = refused("version = \"1.0.0\"\ndescription = \"" + "x".repeat(3_900_000) + "\"\n");
        assertEquals("big.toml", e.file());
        assertEquals(2, e.line());
        assertEquals("\"description\" is 3900000 characters long; at most 4000 are allowed", e.message());
    }

    @Test
    public void tooManyTagsAndTooLongEntriesAreRefused() {
        String tags = IntStream.range(0, 200_000).mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(","));
        ScriptError e = refused("tags = [" + tags + "]\n");
        assertEquals("\"tags\" has 200000 entries; at most 64 are allowed", e.message());
        assertEquals(1, e.line());
        e = refused("devices = [\"" + "d".repeat(201) + "\"]\n");
        assertTrue(e.message(), e.message().startsWith("\"devices\" entry 1 is 201 characters long"));
        e = refused("[schedule]\nkind = \"cron\"\ncron = \"" + "* ".repeat(200) + "\"\n");
        assertEquals(3, e.line());
        assertTrue(e.message(), e.message().startsWith("\"schedule.cron\" is 400 characters long"));
    }

    @Test
    public void fieldsAtTheirLimitAreAccepted() {
        String toml = "author = \"" + "a".repeat(200) + "\"\ndescription = \"" + "d".repeat(4_000) + "\"\ntags = ["
                + IntStream.range(0, 64).mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(",")) + "]\n";
        assertEquals(4_000, codec.parse(toml, "big.toml", "big", new ArrayList<>()).description().length());
    }
}
