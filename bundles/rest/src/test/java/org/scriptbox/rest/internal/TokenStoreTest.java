package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TokenStoreTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void everyCreatedTokenVerifiesWhateverItsSecretContains() throws Exception {
        TokenStore store = new TokenStore(tmp.getRoot().toPath().resolve("tokens.json"), new ObjectMapper());
        for (int i = 0; i < 300; i++) {   // secrets are Base64url: '_' and '-' appear in many of them
            TokenStore.Created c = store.create("t" + i, Role.VIEWER, "test");
            assertTrue(c.secret(), store.verify(c.secret()).isPresent());
            store.revoke(c.token().id());
        }
    }

    @Test
    public void fileKeepsOnlyHashesAndSurvivesARestartRevocationsToo() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("auth/tokens.json");
        TokenStore store = new TokenStore(file, new ObjectMapper());
        TokenStore.Created kept = store.create("kept", Role.OPERATOR, "alice");
        TokenStore.Created gone = store.create("gone", Role.ADMIN, "alice");
        assertTrue(store.revoke(gone.token().id()));
        String text = Files.readString(file);
        assertFalse(text.contains(kept.secret().substring(17)));
        TokenStore again = new TokenStore(file, new ObjectMapper());
        assertEquals(Role.OPERATOR, again.verify(kept.secret()).orElseThrow().role());
        assertFalse(again.verify(gone.secret()).isPresent());
        assertFalse(again.verify(kept.secret() + "x").isPresent());
        assertFalse(again.verify("sbt_" + kept.token().id() + "_" + "A".repeat(43)).isPresent());
    }

    @Test
    public void unreadableFileAcceptsNoToken() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("tokens.json");
        TokenStore store = new TokenStore(file, new ObjectMapper());
        TokenStore.Created c = store.create("x", Role.ADMIN, "alice");
        Files.writeString(file, "{ not json");
        assertFalse(new TokenStore(file, new ObjectMapper()).verify(c.secret()).isPresent());
    }
}
