package org.scriptbox.engine.compiler;

/** A function the compiler does not translate: it stays interpreted (its parent and siblings need not). */
final class UnsupportedShape extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedShape(String message) {
        super(message, null, false, false);
    }
}
