package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class ErrorAnswerTest {
    private static String body(ErrorAnswer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    @Test
    public void underTheApiAndForPathsJettyCouldNotTakeTheAnswerIsTheJsonShape() {
        for (String path : new String[] {"/api/v1/scripts/x", "/api", "/badURI", "/badMessage", null}) {
            ErrorAnswer a = ErrorAnswer.of(400, path);
            assertEquals(path, "application/json;charset=utf-8", a.contentType());
            assertEquals(path, "{\"error\":{\"code\":\"bad_request\",\"message\":\"The request is malformed.\"}}", body(a));
        }
        assertEquals("{\"error\":{\"code\":\"headers_too_large\",\"message\":\"The request's headers are too large.\"}}",
                body(ErrorAnswer.of(431, "/api/v1/scripts")));
    }

    @Test
    public void theConsolesPathsGetAPlainTextPage() {
        ErrorAnswer a = ErrorAnswer.of(414, "/console/x");
        assertEquals("text/plain;charset=utf-8", a.contentType());
        assertEquals("414 The request's address is too long.\n", body(a));
        assertTrue(ErrorAnswer.of(404, "/apix").contentType().startsWith("text/plain"));
    }

    @Test
    public void everyAnswerCarriesTheStrictHeadersAndOurOwnWords() {
        for (int status = 400; status < 600; status++) {
            ErrorAnswer a = ErrorAnswer.of(status, "/api/v1/x");
            assertEquals(status, a.status());
            assertEquals("nosniff", a.headers().get("X-Content-Type-Options"));
            assertEquals("DENY", a.headers().get("X-Frame-Options"));
            assertEquals("no-store", a.headers().get("Cache-Control"));
            assertTrue(a.headers().get("Content-Security-Policy").startsWith("default-src 'none'"));
            assertTrue(body(a), body(a).matches("\\{\"error\":\\{\"code\":\"[a-z_]+\",\"message\":\"[A-Z][^\"<]+\\.\"}}"));
        }
        assertEquals(500, ErrorAnswer.of(200, "/api/v1/x").status());   // never a success with an error body
    }
}
