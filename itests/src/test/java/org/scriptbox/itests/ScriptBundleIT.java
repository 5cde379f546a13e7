package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/** The script-bundle extender with the example script bundle (bundles/example-scripts). */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScriptBundleIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    static Path exampleBundle() throws IOException {
        Path target = Distribution.runtimeHome().resolveSibling("bundles/example-scripts/target");
        try (Stream<Path> jars = Files.list(target)) {
            return jars.filter(p -> p.getFileName().toString().matches("scriptbox-example-scripts-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("example script bundle not built in " + target));
        }
    }

    @Test
    public void scriptsComeAndGoWithTheirBundle() throws Exception {
        Bundle bundle = context.installBundle(exampleBundle().toUri().toString());
        try {
            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "greet", ScriptStatus.COMPILED);
            assertTrue(manager.get("textutil").get().origin().startsWith("bundle:org.scriptbox.example.scripts/"));
            assertEquals(List.of("HELLO, ADA!"), ScriptDeployIT.run(manager, "greet", "Ada").values());

            bundle.stop();
            Await.until("the bundle's scripts undeployed", ScriptDeployIT.BOUND,
                    () -> manager.get("greet").isEmpty() && manager.get("textutil").isEmpty());

            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "greet", ScriptStatus.COMPILED);
        } finally {
            bundle.uninstall();
        }
        Await.until("scripts gone with the uninstalled bundle", ScriptDeployIT.BOUND, () -> manager.get("greet").isEmpty());
    }

    @Test
    public void aFolderCopyOfABundleScriptWinsWithAWarningNamingBothSources() throws Exception {
        Bundle bundle = context.installBundle(exampleBundle().toUri().toString());
        Path folder = ScriptDeployIT.deployFolder(context);
        try {
            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "greet", ScriptStatus.COMPILED);
            String fromBundle = manager.get("greet").get().origin();
            assertTrue(fromBundle, fromBundle.startsWith("bundle:org.scriptbox.example.scripts/"));

            ScriptDeployIT.write(folder.resolve("greet.toml"), "version = \"1.0.0\"\npermissions = []\n");
            ScriptDeployIT.write(folder.resolve("greet.lua"), "return 'from the folder'\n");
            String fromFolder = folder.resolve("greet.lua").toString();
            ScriptInfo info = Await.until("the folder's greet live", ScriptDeployIT.BOUND, () -> manager.get("greet").get(),
                    i -> fromFolder.equals(i.origin()));
            assertEquals(List.of("from the folder"), ScriptDeployIT.run(manager, "greet").values());
            assertEquals(1, info.warnings().size());
            String warning = info.warnings().get(0);
            assertTrue(warning, warning.contains("two sources deploy 'greet'") && warning.contains("from " + fromFolder)
                    && warning.contains("from " + fromBundle) && warning.contains("the latest deploy wins"));
            String shown = Shell.execute(context, "script:info greet");
            assertTrue(shown, shown.contains("warning") && shown.contains(fromBundle) && shown.contains(fromFolder));
        } finally {
            Files.deleteIfExists(folder.resolve("greet.lua"));
            Files.deleteIfExists(folder.resolve("greet.toml"));
            bundle.uninstall();
        }
        Await.until("greet gone with its sources", ScriptDeployIT.BOUND, () -> manager.get("greet").isEmpty());
    }

    /**
     * Issue 13.10: a small jar whose compressed entry inflates to 300 MB. The entry is capped by the bytes
     * inflated (4 MB), reported on the script, and its neighbour deploys; nothing is read whole.
     */
    @Test
    public void aCompressedEntryBombIsRefusedBeforeItIsRead() throws Exception {
        Path jar = Files.createTempFile(Distribution.freshFolder("bomb"), "bomb", ".jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "bomb");
        mf.getMainAttributes().putValue("Scriptbox-Scripts", "scripts/");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry("scripts/ok.lua"));
            out.write("return 'ok'\n".getBytes());
            out.putNextEntry(new JarEntry("scripts/boom.lua"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 300; i++) {
                out.write(spaces);
            }
        }
        assertTrue("the jar is small: " + Files.size(jar), Files.size(jar) < 2_000_000);
        Bundle bundle = context.installBundle(jar.toUri().toString());
        try {
            bundle.start();
            ScriptDeployIT.awaitStatus(manager, "ok", ScriptStatus.COMPILED);
            ScriptInfo boom = Await.until("boom reported", ScriptDeployIT.BOUND, () -> manager.get("boom"),
                    i -> i.isPresent() && i.get().lastError() != null).get();
            assertEquals("scripts/boom.lua is larger than 4194304 bytes; files over 4194304 bytes are not loaded",
                    boom.lastError().message());
        } finally {
            bundle.uninstall();
        }
        Await.until("the bomb's entries leave with it", ScriptDeployIT.BOUND,
                () -> manager.get("ok").isEmpty() && manager.get("boom").isEmpty());
    }
}
