package org.scriptbox.deployer.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/**
 * A JVM of its own that writes versions into a deploy folder through {@link ScriptFileInstaller#install} (the path of
 * a REST deploy, a rollback, an import), for tests that kill it with SIGKILL at the worst moments.
 * <ul>
 * <li>{@code pairs DIR}: versions 1.0.1, 1.0.2, ... for ever, each {@code .lua} ~1 MB and naming its version;</li>
 * <li>{@code refused DIR SIGNAL}: one version the manager refuses, slowly: {@code SIGNAL} is created when the
 *     manager starts on it, then it takes a minute to refuse.</li>
 * </ul>
 */
public final class FolderWriterProcess {
    private FolderWriterProcess() {
    }

    static String source(int k) {
        return "-- " + "v".repeat(1_000_000) + "\nreturn " + k + "\n";
    }

    static String toml(int k) {
        return "version = \"1.0." + k + "\"\n";
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(dir, 100, 100, 10_000), false);
        if (args[0].equals("pairs")) {
            for (int k = 1; ; k++) {
                installer.install(new ScriptDefinition(codec.parse(toml(k), "m.toml", "m", new ArrayList<>()), source(k), "rest"), true);
            }
        }
        Path signal = Path.of(args[2]);
        manager.onDeploy = d -> {
            try {
                Files.writeString(signal, "deploying");
                Thread.sleep(60_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        installer.install(new ScriptDefinition(codec.parse("version = \"0.0.1\"\n", "m.toml", "m", new ArrayList<>()),
                "BROKEN", "rest"), true);
    }
}
