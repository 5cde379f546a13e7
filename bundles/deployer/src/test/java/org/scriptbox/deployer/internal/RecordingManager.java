package org.scriptbox.deployer.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;

/** A ScriptManager that keeps what it is told, so the deployer's decisions can be checked. Sources containing "BROKEN" do not compile. */
final class RecordingManager implements ScriptManager {
    final Map<String, ScriptDefinition> live = Collections.synchronizedMap(new TreeMap<>());
    /** Names listed with only an error (no live version), as the real manager lists them. */
    final Set<String> errorOnly = Collections.synchronizedSet(new TreeSet<>());
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<ScriptError> errors = new CopyOnWriteArrayList<>();
    /** Every source that went live, in order. */
    final List<String> deployedSources = new CopyOnWriteArrayList<>();

    /** Refuse a lower version without force, as the real manager does. */
    volatile boolean refuseDowngrades;

    private static int compare(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Called as a deploy starts (a slow compile, a signal to a test that kills this process). */
    volatile java.util.function.Consumer<ScriptDefinition> onDeploy = d -> { };

    @Override
    public ScriptInfo deploy(ScriptDefinition d, boolean force) {
        onDeploy.accept(d);
        calls.add("deploy " + d.name() + " " + d.metadata().version());
        if (d.source().contains("BROKEN")) {
            ScriptError e = ScriptError.at(ErrorKind.COMPILATION, "broken", d.name() + ".lua", 1, 1);
            errors.add(e);
            throw new ScriptException(e);
        }
        ScriptDefinition current = live.get(d.name());
        if (refuseDowngrades && !force && current != null && compare(d.metadata().version(), current.metadata().version()) < 0) {
            ScriptError e = ScriptError.of(ErrorKind.REFUSED, "version " + d.metadata().version() + " is lower than the deployed "
                    + current.metadata().version());
            errors.add(e);
            throw new ScriptException(e);
        }
        live.put(d.name(), d);
        errorOnly.remove(d.name());
        deployedSources.add(d.source());
        return info(d);
    }

    private static ScriptInfo info(ScriptDefinition d) {
        return new ScriptInfo(d.metadata(), ScriptStatus.COMPILED, ExecutionStats.EMPTY, null, d.origin(), Instant.now(), null, 0);
    }

    @Override
    public void reportError(String name, String origin, ScriptError error) {
        calls.add("error " + name);
        errors.add(error);
        if (!live.containsKey(name)) {
            errorOnly.add(name);
        }
    }

    @Override
    public List<ScriptError> validate(ScriptDefinition definition) {
        return List.of();
    }

    @Override
    public boolean undeploy(String name) {
        calls.add("undeploy " + name);
        return errorOnly.remove(name) | live.remove(name) != null;
    }

    @Override
    public List<ScriptInfo> list() {
        return live.values().stream().map(RecordingManager::info).toList();
    }

    @Override
    public Optional<ScriptInfo> get(String name) {
        if (errorOnly.contains(name)) {
            return Optional.of(new ScriptInfo(ScriptMetadata.defaults(name), ScriptStatus.COMPILATION_ERROR, ExecutionStats.EMPTY,
                    errors.get(errors.size() - 1), null, Instant.now(), null, 0));
        }
        return Optional.ofNullable(live.get(name)).map(RecordingManager::info);
    }

    @Override
    public Optional<ScriptDefinition> definition(String name) {
        return Optional.ofNullable(live.get(name));
    }

    @Override
    public Promise<ExecutionResult> execute(String name, List<Object> args) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int cancel(String name) {
        return 0;
    }

    @Override
    public List<ScriptLogEntry> logs(String name, int max) {
        return List.of();
    }

    @Override
    public Path exportScript(String name, Path targetFolder, boolean withStats) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        throw new UnsupportedOperationException();
    }
}
