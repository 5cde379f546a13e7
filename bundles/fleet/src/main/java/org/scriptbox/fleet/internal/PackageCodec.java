package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.api.fleet.SignedPackage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON forms: a package's body (the signed bytes) and the envelope that carries body, signer and
 * signature ({@code {"signer":..., "signature": base64, "body": base64}}). The body is base64 inside the
 * envelope so the gateway verifies exactly the bytes that were signed.
 */
final class PackageCodec {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Scripts per package at most. Each takes the gateway's one link thread about 10 ms to apply (synced files and a
     * compile; 500 in 5 s measured), and 8 MB of tiny scripts were tens of thousands: minutes in which the gateway
     * answers nothing, a status over the controller's 1 MB it never reads, a history no controller reads (FINDINGS Q44).
     */
    static final int MAX_SCRIPTS = 1_000;

    private PackageCodec() {
    }

    static byte[] body(FleetPackage p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("fleet", p.fleet());
        o.put("group", p.group());
        o.put("version", p.version());
        if (p.healthCheck() != null) {
            o.put("healthCheck", p.healthCheck());
        }
        o.put("createdAt", p.createdAt().toString());
        ArrayNode scripts = o.putArray("scripts");
        for (PackageScript s : p.scripts()) {
            ObjectNode n = scripts.addObject();
            n.put("name", s.name());
            n.put("lua", s.lua());
            if (s.toml() != null) {
                n.put("toml", s.toml());
            }
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static FleetPackage readBody(byte[] body) {
        JsonNode o;
        try {
            o = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the package body is not JSON");
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("the package body is not a JSON object");
        }
        JsonNode version = o.get("version");
        if (version == null || !version.canConvertToLong() || !version.isIntegralNumber() || version.asLong() < 1) {
            throw new IllegalArgumentException("the package has no version (a whole number from 1)");
        }
        List<PackageScript> scripts = new ArrayList<>();
        JsonNode list = o.get("scripts");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("the package has no scripts");
        }
        if (list.size() > MAX_SCRIPTS) {
            throw new IllegalArgumentException("the package has " + list.size() + " scripts; at most " + MAX_SCRIPTS);
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonNode s : list) {
            String name = text(s, "name");
            String lua = text(s, "lua");
            if (name == null || lua == null) {
                throw new IllegalArgumentException("a script of the package has no name or no lua");
            }
            if (!names.add(name)) {   // the second would replace the first, and its undo would put back the first
                throw new IllegalArgumentException("two scripts of the package are named '" + Texts.clip(name) + "'");
            }
            scripts.add(new PackageScript(name, lua, text(s, "toml")));
        }
        String health = text(o, "healthCheck");
        if (health != null && !names.contains(health)) {
            // a health check must judge the package: any other script of the gateway (one that opens a valve, or
            // one that always completes) would be run, or would pass, on every gateway of the group
            throw new IllegalArgumentException("the health check '" + Texts.clip(health) + "' is not a script of the package");
        }
        String fleet = text(o, "fleet");
        String group = text(o, "group");
        if (fleet == null || group == null) {
            throw new IllegalArgumentException("the package names no fleet or no group");
        }
        Instant created;
        try {
            created = Instant.parse(text(o, "createdAt"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the package has no createdAt time");
        }
        return new FleetPackage(fleet, group, version.asLong(), scripts, health, created);
    }

    /**
     * A JSON object whose values are all scalars (an envelope: a package's, a signed request's), read without
     * building a tree of what an unauthenticated sender put in it: a nested value is refused as soon as it
     * starts. A tree of 11 MB of {@code [{},{},...]} is about 300 MB of heap, more than a gateway has.
     *
     * @throws IllegalArgumentException for anything else
     */
    static ObjectNode flatObject(byte[] bytes) {
        ObjectNode o = JSON.createObjectNode();
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(bytes)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != com.fasterxml.jackson.core.JsonToken.END_OBJECT;
                 t = p.nextToken()) {
                String field = p.currentName();
                com.fasterxml.jackson.core.JsonToken v = p.nextToken();
                if (v == null || v.isStructStart()) {
                    throw new IllegalArgumentException("field '" + Texts.clip(field) + "' is not a string, number or boolean");
                }
                o.set(field, JSON.readTree(p));
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        return o;
    }

    static String envelope(SignedPackage p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("signer", p.signer());
        o.put("signature", Base64.getEncoder().encodeToString(p.signature()));
        o.put("body", Base64.getEncoder().encodeToString(p.body()));
        return o.toString();
    }

    /** An envelope; a missing signer or signature gives an empty one (refused as unsigned by the verifier). */
    static SignedPackage readEnvelope(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("the package is not a JSON object");
        }
        String body = text(o, "body");
        if (body == null) {
            throw new IllegalArgumentException("the package has no body");
        }
        String signer = text(o, "signer");
        String signature = text(o, "signature");
        try {
            return new SignedPackage(Base64.getDecoder().decode(body), signer == null ? "" : signer,
                    signature == null ? new byte[0] : Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the package's body or signature is not base64");
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
