package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads script text with a cap on the bytes actually read, never on a size someone reports (a /proc file
 * reports 0, a zip entry reports what its header says): at most {@code max + 1} bytes are ever taken.
 */
final class BoundedText {
    /** Far above any real script or metadata (the engine compiles at most 1 MB by default); bounds what a stray file costs. */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final char BOM = '\uFEFF';

    /** Too long, or not UTF-8: the message is for the operator and names no Java type. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private BoundedText() {
    }

    /** At most {@code max} bytes from the stream, else {@link Refused}; the stream is read no further than max + 1. */
    static byte[] readBytes(InputStream in, int max) throws IOException, Refused {
        byte[] bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
            throw new Refused("is larger than " + max + " bytes; files over " + max + " bytes are not loaded");
        }
        return bytes;
    }

    /** Strict UTF-8 (malformed input is refused, not replaced); a leading byte-order mark, as editors write it, is dropped. */
    static String decode(byte[] bytes) throws Refused {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new Refused("is not UTF-8 text");
        }
    }

    static String read(InputStream in, int max) throws IOException, Refused {
        return decode(readBytes(in, max));
    }
}
