package org.scriptbox.api;

/** What went wrong, so callers can react without parsing messages. */
public enum ErrorKind {
    /** Lua syntax error. */
    COMPILATION,
    /** Invalid TOML or invalid metadata values. */
    METADATA,
    /** A Lua runtime error raised by the script or a library function. */
    RUNTIME,
    /** A resource limit (instructions, memory, string, table, call depth, coroutines) was exceeded. */
    LIMIT,
    /** The wall-clock limit was exceeded. */
    TIMEOUT,
    /** The execution was cancelled. */
    CANCELLED,
    /** A permission the call needs was not granted. */
    PERMISSION,
    /** The script's token bucket was empty. */
    RATE_LIMIT,
    /** A device was unknown, unavailable or failed. */
    DEVICE,
    /** No script by that name. */
    NOT_FOUND,
    /** A missing or unsatisfiable dependency, or a dependency cycle. */
    DEPENDENCY,
    /** An update was refused (e.g. lower version without force). */
    REFUSED,
    /** The system is at its concurrency bound or overloaded and refused new work. */
    BUSY,
    /** Reading or writing a file failed. */
    IO
}
