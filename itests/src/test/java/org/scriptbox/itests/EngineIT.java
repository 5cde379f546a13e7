package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ModuleResolver;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;

/** The engine service from the real container: sandbox, limits, memory metering and the library whiteboard. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EngineIT {

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"),
                Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private ExecutionResult run(String source, ResourceLimits limits, List<String> log) {
        CompiledScript s = engine.compile("it.lua", source);
        return engine.execute(s, new ExecutionRequest("it", "it-1", List.of(20.0), limits, Set.of(),
                new Cancellation(), ModuleResolver.NONE, (level, message) -> log.add(message)));
    }

    @Test
    public void runsAScriptWithArgumentsAndPrint() {
        List<String> log = new ArrayList<>();
        ExecutionResult r = run("local n = ...\nprint('n is', n)\nreturn n * 2", ResourceLimits.DEFAULTS, log);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(40.0), r.values());
        assertEquals(List.of("n is\t20"), log);
        assertTrue("memory is metered in OSGi (com.sun.management by boot delegation)", r.allocatedBytes() > 0);
        assertTrue(r.instructions() > 0);
    }

    @Test
    public void limitsHoldInTheContainer() {
        ResourceLimits small = new ResourceLimits(Duration.ofSeconds(5), 50L << 20, 100_000, 10_000, 1_000, 50, 4);
        ExecutionResult loop = run("while true do end", small, new ArrayList<>());
        assertEquals(ErrorKind.LIMIT, loop.error().kind());
        assertTrue(loop.error().message().contains("instruction limit of 100000"));
        ExecutionResult caught = run("return pcall(string.rep, 'x', 1e9)", small, new ArrayList<>());
        assertEquals(ErrorKind.LIMIT, caught.error().kind());
        // debug is absent, or (issue 16) a table holding only the safe debug.traceback
        ExecutionResult escape = run("return io, os.execute, luajava, debug and (debug.getlocal or debug.sethook"
                + " or debug.getupvalue or debug.setupvalue or debug.getinfo or debug.getregistry)", small, new ArrayList<>());
        assertEquals(ScriptStatus.COMPLETED, escape.status());
        assertEquals(4, escape.values().size());
        escape.values().forEach(v -> assertEquals(null, v));
        ExecutionResult debugKeys = run("local n = 0 for k in pairs(debug or {}) do if k ~= 'traceback' then n = n + 1 end end"
                + " return n", small, new ArrayList<>());
        assertEquals(debugKeys.error() + "", List.of(0.0), debugKeys.values());
    }

    @Test
    public void compileErrorsCarryLineAndColumn() {
        try {
            engine.compile("bad.lua", "x = 1\nif x then\n  y = = 2\nend\n");
            fail();
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.kind());
            assertEquals(3, e.error().line());
            assertEquals(7, e.error().column());
        }
    }

    @Test
    public void libraryServicesBecomeGlobals() {
        ScriptFunction twice = (scope, args) -> 2 * (Double) args[0];
        ServiceRegistration<ScriptLibrary> reg = TestLibraries.register(context, "it", Map.of("it_twice", twice));
        try {
            ExecutionResult r = Await.until("it_twice installed", Duration.ofSeconds(10),
                    () -> run("return it_twice(21)", ResourceLimits.DEFAULTS, new ArrayList<>()),
                    res -> res.succeeded());
            assertEquals(List.of(42.0), r.values());
        } finally {
            reg.unregister();
        }
        ExecutionResult gone = run("return it_twice", ResourceLimits.DEFAULTS, new ArrayList<>());
        assertEquals(java.util.Collections.singletonList(null), gone.values());
    }

    /**
     * The compile mode comes from ConfigAdmin (PID org.scriptbox.engine) and applies without a restart:
     * in asm-strict mode a script the compiler cannot turn wholly into JVM classes (a main chunk too big for
     * one JVM method) is refused; in the default adaptive mode it compiles and runs interpreted.
     */
    @Test
    public void theCompileModeComesFromConfigAdmin() throws Exception {
        Assume.assumeTrue("a system property forces the mode", System.getProperty("scriptbox.engine.compile") == null);
        String big = "local x = 0\n" + "x = x + 1\n".repeat(20_000) + "return x";
        assertEquals(ScriptStatus.COMPLETED, run(big, ResourceLimits.DEFAULTS, new ArrayList<>()).status());
        org.osgi.service.cm.Configuration cfg = configAdmin.getConfiguration("org.scriptbox.engine", "?");
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("compile", "asm-strict");
        cfg.update(props);
        try {
            Await.until("the engine in asm-strict mode", Duration.ofSeconds(20), () -> compileError(big),
                    m -> m != null && m.contains("stay interpreted"));
        } finally {
            cfg.delete();
        }
        Await.until("the engine back in adaptive mode", Duration.ofSeconds(20), () -> compileError(big), m -> m == null);
        assertEquals(ScriptStatus.COMPLETED, run(big, ResourceLimits.DEFAULTS, new ArrayList<>()).status());
    }

    /**
     * The engine bundle embeds only the Luaj packages it uses (issue 14): no {@code org.luaj.vm2.lib.jse}
     * (LuajavaLib: Java objects for scripts; JseProcess: processes), no LuaJC, no javax.script engine, no BCEL;
     * the interpreter and the budget are the engine's own classes (LuaForksTest holds the list of Luaj classes
     * still shadowed). Read from the bundle as the container installed it.
     */
    @Test
    public void theEngineBundleEmbedsOnlyTheLuajPackagesItUses() throws Exception {
        org.osgi.framework.Bundle bundle = null;
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if ("org.scriptbox.engine".equals(b.getSymbolicName())) {
                bundle = b;
            }
        }
        org.junit.Assert.assertNotNull("the engine bundle", bundle);
        Set<String> packages = new java.util.TreeSet<>();
        java.util.Enumeration<java.net.URL> classes = bundle.findEntries("/", "*.class", true);
        while (classes.hasMoreElements()) {
            String path = classes.nextElement().getPath();
            packages.add(path.substring(1, path.lastIndexOf('/')).replace('/', '.'));
        }
        Set<String> luaj = new java.util.TreeSet<>();
        for (String p : packages) {
            if (p.startsWith("org.luaj")) {
                luaj.add(p);
            }
            assertTrue(p, !p.startsWith("org.apache.bcel") && !p.startsWith("org.luaj.vm2.luajc")
                    && !p.startsWith("org.luaj.vm2.lib.jse") && !p.startsWith("org.luaj.vm2.script")
                    && !p.startsWith("org.luaj.vm2.server"));
        }
        assertEquals(Set.of("org.luaj.vm2", "org.luaj.vm2.compiler", "org.luaj.vm2.lib"), luaj);
        for (String gone : new String[] {"org/luaj/vm2/lib/jse/LuajavaLib.class", "org/luaj/vm2/lib/jse/JseProcess.class",
                "org/luaj/vm2/Meter.class", "org/apache/bcel/Const.class"}) {
            org.junit.Assert.assertNull(gone, bundle.getEntry(gone));
        }
        String imports = bundle.getHeaders().get("Import-Package");
        assertTrue(imports, !imports.contains("org.luaj") && !imports.contains("bcel"));
        // the engine's interpreter is its own class; Luaj's LuaClosure is only Luaj's (never created by the engine)
        org.junit.Assert.assertNotNull(bundle.getEntry("org/scriptbox/engine/vm/MeteredClosure.class"));
    }

    /** The message of compiling {@code source}, or null if it compiles. */
    private String compileError(String source) {
        try {
            engine.compile("big.lua", source);
            return null;
        } catch (ScriptException e) {
            return e.getMessage();
        }
    }
}
