package org.scriptbox.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ConsoleFilesTest {
    private final Map<String, String> bundle = new HashMap<>(Map.of(
            "console/index.html", "<!DOCTYPE html>",
            "console/js/app.js", "import x",
            "console/app.css", "body {}",
            "META-INF/resources/webjars/codemirror/5.65.18/lib/codemirror.js", "cm",
            "META-INF/MANIFEST.MF", "Manifest-Version: 1.0",
            "org/scriptbox/web/internal/ConsoleServlet.class", "class",
            "console/notes.md", "secret"));
    private final ConsoleFiles files = new ConsoleFiles(
            p -> bundle.containsKey(p) ? new ByteArrayInputStream(bundle.get(p).getBytes(StandardCharsets.UTF_8)) : null,
            Map.of("codemirror", "META-INF/resources/webjars/codemirror/5.65.18"));

    private String text(String path) {
        return new String(files.find(path).orElseThrow().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    public void servesTheConsoleAndTheEmbeddedLibraries() {
        assertEquals("<!DOCTYPE html>", text(""));
        assertEquals("text/html; charset=utf-8", files.find("index.html").get().contentType());
        assertEquals("text/javascript; charset=utf-8", files.find("js/app.js").get().contentType());
        assertEquals("text/css; charset=utf-8", files.find("app.css").get().contentType());
        assertEquals("cm", text("lib/codemirror/lib/codemirror.js"));
    }

    /** Nothing else in the bundle is reachable, by any spelling of a path. */
    @Test
    public void nothingElseOfTheBundleCanBeReached() {
        for (String path : List.of("../META-INF/MANIFEST.MF", "..", "lib/codemirror/../../../MANIFEST.MF",
                "%2e%2e/META-INF/MANIFEST.MF", "js/..%2fapp.js", "js//app.js", "/js/app.js", "js\\app.js",
                "notes.md", "lib/../index.html", "lib/other/x.js", "lib/codemirror", "../org/scriptbox/web/internal/ConsoleServlet.class",
                ".hidden.js", "js/app.js\u0000.css", "js/app.js;.css", "index.html?x=1", "x".repeat(400) + ".js",
                "lib/codemirror/lib/codemirror.js/", "missing.js")) {
            assertTrue(path, files.find(path).isEmpty());
        }
    }

    @Test
    public void theHeadersForbidInlineScriptFramingAndOtherOrigins() {
        String csp = ConsoleServlet.CSP;
        assertTrue(csp.contains("default-src 'none'"));
        assertTrue(csp.contains("script-src 'self';"));
        assertTrue(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assertTrue(csp.contains("frame-ancestors 'none'"));
        assertTrue(csp.contains("connect-src 'self'"));
    }
}
