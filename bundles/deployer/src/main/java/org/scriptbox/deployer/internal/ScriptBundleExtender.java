package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The script-bundle extender: a bundle whose manifest says {@code Scriptbox-Scripts: scripts/} (one or
 * more folders, comma-separated) has every {@code x.lua} in those folders deployed, with {@code x.toml}
 * beside it as metadata, while the bundle is ACTIVE; its scripts are undeployed when it stops.
 */
@Component(service = {}, immediate = true)
public class ScriptBundleExtender implements BundleTrackerCustomizer<List<String>> {
    /** The manifest header naming the folders that hold scripts. */
    public static final String HEADER = "Scriptbox-Scripts";
    private static final Logger LOG = LoggerFactory.getLogger(ScriptBundleExtender.class);

    private final ScriptManager manager;
    private final MetadataCodec codec;
    private final BundleTracker<List<String>> tracker;

    @Activate
    public ScriptBundleExtender(@Reference ScriptManager manager, @Reference MetadataCodec codec, BundleContext context) {
        this.manager = manager;
        this.codec = codec;
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    static String origin(Bundle bundle, String entryPath) {
        return "bundle:" + bundle.getSymbolicName() + "/" + bundle.getVersion() + "!/" + entryPath;
    }

    @Override
    public List<String> addingBundle(Bundle bundle, BundleEvent event) {
        String header = bundle.getHeaders("").get(HEADER);
        if (header == null) {
            return null;   // not a script bundle: not tracked
        }
        List<String> names = new ArrayList<>();
        for (String folder : header.split(",")) {
            String path = folder.trim();
            if (path.isEmpty()) {
                continue;
            }
            Enumeration<URL> found = bundle.findEntries(path, "*.lua", false);
            while (found != null && found.hasMoreElements()) {
                URL lua = found.nextElement();
                String entry = lua.getPath().startsWith("/") ? lua.getPath().substring(1) : lua.getPath();
                String fileName = entry.substring(entry.lastIndexOf('/') + 1);
                if (!ScriptFiles.isScriptFile(fileName)) {
                    continue;
                }
                String name = ScriptFiles.baseName(fileName);
                String tomlEntry = entry.substring(0, entry.length() - ScriptFiles.LUA.length()) + ScriptFiles.TOML;
                String origin = origin(bundle, entry);
                try {
                    String source = read(lua, entry);
                    URL tomlUrl = bundle.getEntry(tomlEntry);
                    String toml = tomlUrl == null ? null : read(tomlUrl, tomlEntry);
                    ScriptLoader.load(manager, codec, name, source, toml, tomlEntry, origin);
                    names.add(name);
                } catch (BoundedText.Refused e) {
                    manager.reportError(name, origin, ScriptError.of(ErrorKind.IO, e.getMessage()));
                    names.add(name);   // its error entry leaves with the bundle
                } catch (IOException e) {
                    manager.reportError(name, origin, ScriptError.of(ErrorKind.IO, entry + " cannot be read from bundle "
                            + bundle.getSymbolicName()));
                    names.add(name);
                } catch (RuntimeException e) {
                    LOG.error("bundle {}: could not deploy {}", bundle.getSymbolicName(), entry);
                    LOG.debug("the cause", e);
                }
            }
        }
        LOG.info("bundle {} {}: deployed scripts {}", bundle.getSymbolicName(), bundle.getVersion(), names);
        return names;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, List<String> names) {
        // scripts follow the ACTIVE state only
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, List<String> names) {
        String prefix = "bundle:" + bundle.getSymbolicName() + "/";
        for (String name : names) {
            Optional<ScriptInfo> info = manager.get(name);
            // a script of the same name deployed later from elsewhere is not ours to remove
            if (info.isPresent() && (info.get().origin() == null || info.get().origin().startsWith(prefix))) {
                manager.undeploy(name);
            }
        }
        LOG.info("bundle {} stopped: undeployed scripts {}", bundle.getSymbolicName(), names);
    }

    /**
     * An entry's text, capped by the bytes actually inflated: a small jar of highly compressed entries must
     * not fill the heap (the size in a zip header is the writer's claim, not a bound).
     */
    private static String read(URL url, String entry) throws IOException, BoundedText.Refused {
        try (InputStream in = url.openStream()) {
            return BoundedText.read(in, BoundedText.MAX_BYTES);
        } catch (BoundedText.Refused e) {
            throw new BoundedText.Refused(entry + " " + e.getMessage());
        }
    }
}
