package org.scriptbox.fleet.internal;

import java.util.ArrayList;
import java.util.List;

import org.junit.rules.ExternalResource;

/** What a test opened (links, controllers), closed after it in the reverse order ({@code @Rule}). */
final class Closer extends ExternalResource {
    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    protected void after() {
        IllegalStateException failed = null;
        for (int i = open.size() - 1; i >= 0; i--) {   // all of them, even after one failed
            try {
                open.get(i).close();
            } catch (Exception e) {
                failed = failed != null ? failed : new IllegalStateException("closing " + open.get(i), e);
            }
        }
        open.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
