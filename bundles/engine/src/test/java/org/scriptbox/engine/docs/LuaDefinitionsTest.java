package org.scriptbox.engine.docs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;

/** The LuaLS definitions file: valid Lua, every real global in it, nothing the sandbox removed. */
public class LuaDefinitionsTest {
    private static final ScriptLibrary DEVICES = new ScriptLibrary() {
        @Override
        public String name() {
            return "devices";
        }

        @Override
        public Map<String, ScriptFunction> functions() {
            return Map.of("device_set_motor_speed", (scope, args) -> null, "sleep", (scope, args) -> null);
        }
    };

    private final String text = LuaDefinitions.generate(List.of(DEVICES),
            Map.of("sleep", StandardDocs.doc("(seconds)", "---@param seconds number")));

    @Test
    public void everyGlobalAScriptGetsIsDefined() {
        Map<String, String> globals = LuaDefinitions.globals(List.of(DEVICES));
        assertTrue(globals.toString(), globals.size() > 80);
        for (Map.Entry<String, String> g : globals.entrySet()) {
            String name = g.getKey();
            if (name.startsWith("_G")) {
                continue;
            }
            boolean defined = g.getValue().equals("function") ? text.contains("\nfunction " + name + "(")
                    : text.contains("\n" + name + " = ");
            assertTrue(name + " (" + g.getValue() + ") is not defined", defined);
        }
        assertTrue(text, text.contains("---@param seconds number\nfunction sleep(seconds) end"));
        assertTrue(text, text.contains("function device_set_motor_speed(...) end"));
        assertTrue(text, text.contains("---@param n integer\n---@param sep? string\n---@return string\nfunction string.rep(s, n, sep) end"));
    }

    @Test
    public void nothingTheSandboxRemovedIsDefined() {
        for (String removed : new String[] {"io", "os.execute", "os.exit", "os.getenv", "os.remove", "os.rename", "dofile",
                "loadfile", "loadstring", "string.dump", "luajava", "package", "module", "debug.sethook", "debug.getinfo",
                "debug.getlocal", "debug.getupvalue", "debug.setupvalue", "debug.getregistry"}) {
            assertFalse(removed, text.contains("\nfunction " + removed + "(") || text.contains("\n" + removed + " = "));
        }
        assertTrue(text.contains("\nfunction debug.traceback("));
    }

    @Test
    public void theFileIsValidLua() throws Exception {
        Assume.assumeTrue("lua5.4 is not installed (.ci/run installs it)", new File("/usr/bin/lua5.4").canExecute());
        assertTrue(text.startsWith("---@meta"));
        Path f = Files.createTempFile("scriptbox", ".lua");
        Files.writeString(f, text);
        // loadfile compiles without running: a syntax check, as luac -p does
        Process p = new ProcessBuilder("/usr/bin/lua5.4", "-e", "assert(loadfile('" + f + "'))")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        // and it runs in lua5.4 (definitions only assign globals)
        Process run = new ProcessBuilder("/usr/bin/lua5.4", f.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true).start();
        String ran = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(10, TimeUnit.SECONDS));
        assertEquals(ran, 0, run.exitValue());
    }
}
