package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.Test;

/** The committed openapi.json describes exactly the registered routes, with their roles. */
public class OpenApiDocumentTest {

    @Test
    public void documentListsEveryRouteWithItsRoleAndNothingElse() throws Exception {
        Map<String, String> routes = new TreeMap<>();
        for (Route r : ApiServlet.allRoutes(null, null, null, null, null, null, () -> null, new EventHub(), 0, () -> null)) {
            routes.put(r.method() + " " + r.template(), r.role() == null ? "none" : r.role().label());
        }
        Map<String, String> documented = new TreeMap<>();
        // a path written twice would silently keep only its last entry (the document had /runs twice)
        JsonNode doc = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
                .readTree(AdminRoutes.openapiDocument());
        assertEquals("3.0.3", doc.path("openapi").asText());
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                documented.put(op.getKey().toUpperCase() + " " + p.getKey(), op.getValue().path("x-scriptbox-role").asText());
            }
        }
        assertEquals(routes, documented);
    }
}
