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
        ExecutionResult escape = run("return io, os.execute, luajava, debug", small, new ArrayList<>());
        assertEquals(ScriptStatus.COMPLETED, escape.status());
        assertEquals(4, escape.values().size());
        escape.values().forEach(v -> assertEquals(null, v));
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
