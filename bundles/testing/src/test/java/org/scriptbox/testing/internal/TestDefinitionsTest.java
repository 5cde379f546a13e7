package org.scriptbox.testing.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The editor's definitions of a test file's functions (runtime/lua-test/scriptbox-test.d.lua, issue 16.8 for
 * 16.9) declare exactly what a test file gets: the harness's globals and the mock controls; the file is Lua.
 */
public class TestDefinitionsTest {
    private static final Path SHIPPED = Path.of("../../runtime/lua-test/scriptbox-test.d.lua");
    private static final Pattern FUNCTION = Pattern.compile("(?m)^function ([A-Za-z_][A-Za-z0-9_]*)\\(");

    private static TreeSet<String> functions(String lua) {
        TreeSet<String> names = new TreeSet<>();
        Matcher m = FUNCTION.matcher(lua);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    public void everyTestFunctionIsDeclaredAndNothingElse() throws Exception {
        String harness;
        try (var in = ScriptTestRunner.class.getResourceAsStream("harness.lua")) {
            harness = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        TreeSet<String> offered = functions(harness);
        offered.addAll(new MockDevices().controls().functions().keySet());
        assertEquals(offered, functions(Files.readString(SHIPPED)));
    }

    @Test
    public void theDefinitionsFileIsLua() throws Exception {
        File lua = new File("/usr/bin/lua5.4");
        org.junit.Assume.assumeTrue("lua5.4 is not installed (.ci/run installs it)", lua.canExecute());
        Process p = new ProcessBuilder(lua.getPath(), "-e", "assert(loadfile('" + SHIPPED + "')) io.write('parsed')")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("lua5.4 did not end", p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(out, "parsed", out);
    }
}
