package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Session-5 red team of issue 13 (deploy folder): attacks that are neither the nor the earlier red teams'. */
public class RedTeamSession5DeployerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /**
     * R8: the container writes the deploy folder (import, rollback, the REST API's PUT, export) through a hidden
     * temporary name, {@code .x.lua.tmp}, opened with Files.write, which follows a link. Whoever can write the folder
     * (less than the container's user, e.g. a group of engineers while the container runs as root) plants
     * {@code .x.lua.tmp -> /any/file}, and the next install of x writes the script's text into that file.
     */
    @Test
    public void aLinkPlantedOnTheTemporaryNameIsNeverWrittenThrough() throws Exception {
        Path folder = tmp.newFolder("deploy").toPath();
        Path victim = tmp.newFile("victim.conf").toPath();
        Files.writeString(victim, "precious\n");
        Files.createSymbolicLink(folder.resolve(".x.lua.tmp"), victim);

        FolderWrites.replace(folder.resolve("x.lua"), "return 'new'\n".getBytes(StandardCharsets.UTF_8));

        assertEquals("the link's target is untouched", "precious\n", Files.readString(victim));
        assertEquals("the file got its text", "return 'new'\n", Files.readString(folder.resolve("x.lua")));
        assertEquals("x.lua is a file of its own, not the planted link", false, Files.isSymbolicLink(folder.resolve("x.lua")));

        // the deploy folder's own two-file writes (PairWrite, session 6) use other hidden names: the same rule
        for (String planted : new String[] {".x.toml.pending", ".x.lua.pending", ".x.prepared", ".x.committed"}) {
            Files.createSymbolicLink(folder.resolve(planted), victim);
        }
        PairWrite.prepare(folder, "x", "return 'pair'\n", "name = \"x\"\n").commit();
        assertEquals("precious\n", Files.readString(victim));
        assertEquals("return 'pair'\n", Files.readString(folder.resolve("x.lua")));
        assertEquals("name = \"x\"\n", Files.readString(folder.resolve("x.toml")));
    }
}
