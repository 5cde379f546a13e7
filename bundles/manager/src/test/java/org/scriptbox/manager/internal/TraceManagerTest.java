package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceEvent.Type;

/** The manager records every run's trace (what the engine and the log tell it) and keeps it across a restart. */
public class TraceManagerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ScriptManagerImpl start(java.util.Map<String, Object> config) {
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = new FakeEngine();
        m.codec = new TomlMetadataCodec();
        m.start(tmp.getRoot().toPath().resolve("stats"), config);
        return m;
    }

    private static ScriptDefinition definition() {
        return new ScriptDefinition(new ScriptMetadata("t", "1.0.0", null, null, null, null, null, List.of(), List.of(), null,
                null, null), "traced", "t.lua");
    }

    @Test
    public void everyRunIsTracedAndKeptAcrossARestart() throws Exception {
        java.util.Map<String, Object> config = ScriptManagerImplTest.config(2, 1);
        config.put("trace.runs", 2);
        ScriptManagerImpl m = start(config);
        m.deploy(definition(), false);
        for (int i = 0; i < 3; i++) {
            m.execute("t", List.of(i * 1.0)).getValue();
        }
        List<RunTrace> runs = m.runs("t");
        assertEquals(List.of(3L, 2L), runs.stream().map(RunTrace::run).toList());
        RunTrace last = runs.get(0);
        assertEquals("(2)", last.arguments());
        assertEquals("\"done\"", last.result());
        assertEquals("OPERATOR", last.trigger());
        assertEquals(List.of(Type.START, Type.CALL, Type.LOG, Type.DENIED, Type.END),
                last.events().stream().map(TraceEvent::type).toList());
        assertEquals("<script>alert(1)</script>", last.events().get(2).detail());
        assertEquals("device_set_motor_speed", last.events().get(3).name());
        m.deactivate();

        ScriptManagerImpl again = start(config);
        try {
            assertEquals(runs, again.runs("t"));
            assertEquals(3, again.run("t", last.executionId()).get().run());
            again.deploy(definition(), false);
            again.execute("t", List.of()).getValue();
            assertEquals(4, again.runs("t").get(0).run());
        } finally {
            again.deactivate();
        }
    }
}
