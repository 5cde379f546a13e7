package org.scriptbox.engine.vm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * The engine's classes in Luaj's packages (patched copies that shadow Luaj's, won by bnd's merge-first split
 * package) may only become fewer (issue 14: un-fork), and since session 6 there are none: the interpreter, the budget,
 * the pattern matcher and the table-size guard left in session 5, LuaTable (now {@link EngineTable}) and LuaDouble
 * (its int refusal: the library door's WideNumber) in session 6. A new file under org/luaj fails this test.
 */
public class LuaForksTest {
    private static final Set<String> STILL_FORKED = Set.of();

    @Test
    public void onlyTheDocumentedLuajClassesAreStillShadowed() throws IOException {
        Path sources = Path.of("src/main/java");
        assertTrue("run from the engine module: " + sources.toAbsolutePath(), Files.isDirectory(sources));
        Set<String> ours = new TreeSet<>();
        Path luaj = sources.resolve("org/luaj");
        if (Files.isDirectory(luaj)) {
            try (Stream<Path> files = Files.walk(luaj)) {
                files.filter(Files::isRegularFile).forEach(f -> ours.add(sources.relativize(f).toString().replace('\\', '/')));
            }
        }
        assertTrue("new classes in Luaj's packages: " + ours, STILL_FORKED.containsAll(ours));
        assertEquals("un-forked? then shrink STILL_FORKED and docs/engine.md", STILL_FORKED, ours);
        assertTrue("the interpreter is ours", !ours.contains("org/luaj/vm2/LuaClosure.java")
                && !ours.contains("org/luaj/vm2/Meter.java"));
    }
}
