package dev.eve4j.servlet.contract;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Golden value → actual value substitutions (session ids, delivery ids, the recorder's host:port), applied to golden
 * paths, bodies and header values before comparing them byte for byte. Longer keys are replaced first.
 */
final class Subst {
    /** The authority of the recording server, quoted by the h3-style 404 bodies. */
    static final String GOLDEN_AUTHORITY = "127.0.0.1:39817";

    private final Map<String, String> replacements = new LinkedHashMap<>();

    static Subst forServer(EveTestServer server) {
        return new Subst().put(GOLDEN_AUTHORITY, server.authority());
    }

    Subst put(String golden, String actual) {
        String previous = replacements.putIfAbsent(golden, actual);
        if (previous != null && !previous.equals(actual)) {
            throw new AssertionError("golden value " + golden + " maps to both " + previous + " and " + actual);
        }
        return this;
    }

    boolean knows(String golden) {
        return replacements.containsKey(golden);
    }

    String apply(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String key : replacements.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            result = result.replace(key, replacements.get(key));
        }
        return result;
    }
}
