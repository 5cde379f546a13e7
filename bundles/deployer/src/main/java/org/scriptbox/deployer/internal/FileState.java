package org.scriptbox.deployer.internal;

/**
 * What one scan saw of one path in the deploy folder. Two equal states from separate scans mean the file
 * stood still: size, modification time and the whole decoded text are compared.
 *
 * @param kind     what the path is
 * @param size     bytes actually read (TEXT), else 0
 * @param modified modification time in milliseconds (TEXT), else 0
 * @param text     the content as UTF-8 text with a leading byte-order mark removed (TEXT), else null
 * @param problem  why it is refused, for the operator, without the file name (REFUSED), else null
 */
record FileState(Kind kind, long size, long modified, String text, String problem) {
    enum Kind {
        /** Nothing there. */
        ABSENT,
        /** Something that is not a script file (a directory, a pipe, a device): left alone, never read. */
        NOT_A_FILE,
        /** A regular file that could be read. */
        TEXT,
        /** There, but refused: unreadable, too large, not UTF-8, a link out of the folder or a link loop. */
        REFUSED
    }

    static final FileState ABSENT = new FileState(Kind.ABSENT, 0, 0, null, null);
    static final FileState NOT_A_FILE = new FileState(Kind.NOT_A_FILE, 0, 0, null, null);

    static FileState text(long size, long modified, String text) {
        return new FileState(Kind.TEXT, size, modified, text, null);
    }

    static FileState refused(String problem) {
        return new FileState(Kind.REFUSED, 0, 0, null, problem);
    }

    boolean isText() {
        return kind == Kind.TEXT;
    }

    /** No script file here: absent, or something that is not a file. */
    boolean isMissing() {
        return kind == Kind.ABSENT || kind == Kind.NOT_A_FILE;
    }
}
