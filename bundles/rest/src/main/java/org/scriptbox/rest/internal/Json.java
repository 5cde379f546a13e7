package org.scriptbox.rest.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON in and out. Bodies are read with a byte limit and tight nesting and size bounds, so a hostile body
 * costs little; values handed to scripts are plain Java values (String, Double, Boolean, List, Map).
 */
final class Json {
    static final int MAX_DEPTH = 32;
    static final int MAX_ELEMENTS = 10_000;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH + 8).maxStringLength(8_000_000).build());
    }

    private Json() {
    }

    /** A body already read within its bound (BodyReader); empty is an empty object. */
    static JsonNode read(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new ApiError(400, "bad_request", "The body nests deeper than " + (MAX_DEPTH + 8) + " levels.");
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ApiError(400, "bad_request", "The body is not valid JSON"
                    + (loc == null ? "." : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")."));
        } catch (java.io.IOException e) {
            throw new ApiError(400, "bad_request", "The body is not valid JSON.");
        }
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a view could not be written as JSON", e);
        }
    }

    /** A JSON value as a script argument; null, too deep or too large is refused with 400. */
    static Object toScriptValue(JsonNode n) {
        int[] count = {0};
        return toScriptValue(n, 0, count);
    }

    private static Object toScriptValue(JsonNode n, int depth, int[] count) {
        if (++count[0] > MAX_ELEMENTS) {
            throw ApiError.badRequest("The arguments have more than " + MAX_ELEMENTS + " values.");
        }
        if (depth > MAX_DEPTH) {
            throw ApiError.badRequest("The arguments are nested deeper than " + MAX_DEPTH + " levels.");
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>();
            for (JsonNode e : n) {
                list.add(toScriptValue(e, depth + 1, count));
            }
            return list;
        }
        if (n.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            var it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                map.put(e.getKey(), toScriptValue(e.getValue(), depth + 1, count));
            }
            return map;
        }
        throw ApiError.badRequest("An argument is null; scripts take strings, numbers, booleans, arrays and objects.");
    }
}
