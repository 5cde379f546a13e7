package org.scriptbox.engine.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.scriptbox.api.engine.ScriptLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about names in the engine's {@code on.stop.libraries} that no installed library provides (a typo such as
 * {@code devics}, or a library whose bundle is not there): the on_stop hook could not call them, and before this
 * nothing said so. One WARN per name, naming the .cfg file's line and column. The check waits until the framework
 * has started, because libraries bind in any order at boot (the devices library often after the engine's
 * configuration), and runs again when the configuration changes.
 */
@Component(immediate = true, configurationPid = LuaScriptEngine.PID)
public class StopLibrariesCheck implements FrameworkListener {
    private static final Logger LOG = LoggerFactory.getLogger(StopLibrariesCheck.class);
    private static final String KEY = "on.stop.libraries";

    private final List<ScriptLibrary> libraries = new CopyOnWriteArrayList<>();
    private BundleContext context;
    private volatile Map<String, Object> properties = Map.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLibrary(ScriptLibrary library) {
        libraries.add(library);
    }

    void removeLibrary(ScriptLibrary library) {
        libraries.remove(library);
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.properties = properties;
        context.addFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            check();   // the framework started before this component (a restart of the engine bundle)
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        this.properties = properties;
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            check();
        }
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            check();
        }
    }

    private void check() {
        List<String> names = new ArrayList<>();
        libraries.forEach(l -> names.add(l.name()));
        warnings(properties, names).forEach(LOG::warn);
    }

    /** One line per configured name no library in {@code installed} has; none when the key is absent (the default). */
    static List<String> warnings(Map<String, ?> properties, Collection<String> installed) {
        Object raw = properties.get(KEY);
        if (raw == null) {
            return List.of();
        }
        Set<String> configured = LuaScriptEngine.libraryNames(raw instanceof String[] a ? a : new String[] {String.valueOf(raw)});
        List<String> lines = new ArrayList<>();
        List<String> cfg = cfgLines(properties.get("felix.fileinstall.filename"));
        String file = fileName(properties);
        for (String name : configured) {
            if (!installed.contains(name)) {
                lines.add(position(file, cfg, name) + ": " + KEY + " names '" + name + "', which no installed library provides"
                        + " (installed: " + (installed.isEmpty() ? "none" : String.join(", ", new TreeSet<>(installed)))
                        + "): an on_stop hook cannot call its functions");
            }
        }
        return lines;
    }

    /** {@code file:line:column} of the name in the key's line, or the file (the PID) alone when it cannot be found. */
    private static String position(String file, List<String> cfg, String name) {
        for (int i = 0; i < cfg.size(); i++) {
            String line = cfg.get(i);
            if (line.stripLeading().startsWith(KEY)) {
                int eq = line.indexOf('=');
                int at = eq < 0 ? -1 : indexOfWord(line, name, eq + 1);
                return file + ":" + (i + 1) + ":" + (at < 0 ? 1 : at + 1);
            }
        }
        return file;
    }

    /** Where {@code name} stands as a whole list entry (not inside a longer name) from {@code from}, else -1. */
    private static int indexOfWord(String line, String name, int from) {
        for (int at = line.indexOf(name, from); at >= 0; at = line.indexOf(name, at + 1)) {
            int end = at + name.length();
            boolean startOk = at == from || ", \t=".indexOf(line.charAt(at - 1)) >= 0;
            boolean endOk = end == line.length() || ", \t".indexOf(line.charAt(end)) >= 0;
            if (startOk && endOk) {
                return at;
            }
        }
        return -1;
    }

    private static String fileName(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = String.valueOf(file);
            return f.substring(f.lastIndexOf('/') + 1);
        }
        return LuaScriptEngine.PID;
    }

    private static List<String> cfgLines(Object fileUrl) {
        if (fileUrl == null) {
            return List.of();
        }
        try {
            Path p = Path.of(URI.create(String.valueOf(fileUrl)));
            return Files.size(p) > 1 << 20 ? List.of() : Files.readAllLines(p);
        } catch (IOException | RuntimeException unreadable) {
            return List.of();   // the warning names the file without a line
        }
    }
}
