package org.scriptbox.fleet.internal;

/** A request refused with a code and a sentence for the operator (answered on the response topic). */
final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    Refusal(String code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }
}
