package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import org.junit.Test;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.engine.docs.LuaDefinitions;

/**
 * The LuaLS definitions file the distribution ships (runtime/lua/scriptbox.d.lua) is what the build
 * generates from the real globals: the sandbox's standard library and the device API as registered.
 * A change to either regenerates it: {@code mvn -pl bundles/devices test -Dtest=DeviceDefinitionsTest
 * -Dscriptbox.definitions.write=true}.
 */
public class DeviceDefinitionsTest {
    static final Path SHIPPED = Path.of("../../runtime/lua/scriptbox.d.lua");

    private static ScriptLibrary library(DeviceApi api) {
        return new ScriptLibrary() {
            @Override
            public String name() {
                return api.name();
            }

            @Override
            public java.util.Map<String, ScriptFunction> functions() {
                return api.functions();
            }
        };
    }

    private final DeviceApi api = new Fixture().api;

    @Test
    public void everyDeviceFunctionIsDocumented() {
        assertEquals(new TreeSet<>(api.functions().keySet()), new TreeSet<>(DeviceApiDocs.DOCS.keySet()));
    }

    @Test
    public void theShippedDefinitionsAreWhatTheBuildGenerates() throws Exception {
        String generated = LuaDefinitions.generate(List.of(library(api)), DeviceApiDocs.DOCS);
        if (Boolean.getBoolean("scriptbox.definitions.write")) {
            Files.writeString(SHIPPED, generated);
        }
        assertEquals("runtime/lua/scriptbox.d.lua is out of date: regenerate it (see this test's comment)",
                generated, Files.readString(SHIPPED));
    }
}
