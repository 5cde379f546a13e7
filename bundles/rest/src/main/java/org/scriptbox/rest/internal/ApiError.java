package org.scriptbox.rest.internal;

import java.util.List;
import java.util.Locale;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;

/**
 * An answer other than success: HTTP status, a stable code and one sentence for people, plus the
 * script error (file, line, column) when there is one. The only way an error leaves the API, so no Java
 * exception text can.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final transient ScriptError scriptError;
    final transient List<ScriptError> details;
    final long retryAfterSeconds;

    ApiError(int status, String code, String message) {
        this(status, code, message, null, List.of(), 0);
    }

    private ApiError(int status, String code, String message, ScriptError scriptError, List<ScriptError> details,
                     long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.scriptError = scriptError;
        this.details = List.copyOf(details);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiError unauthenticated() {
        return new ApiError(401, "unauthenticated", "Authentication required.");
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "not_found", what);
    }

    static ApiError tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiError(429, "too_many_requests", message, null, List.of(), retryAfterSeconds);
    }

    /** A scriptbox error, with the status its kind means for a client. */
    static ApiError of(ScriptError e) {
        return of(e, List.of());
    }

    static ApiError of(ScriptError e, List<ScriptError> details) {
        return new ApiError(status(e.kind()), e.kind().name().toLowerCase(Locale.ROOT), e.message(), e, details, 0);
    }

    static int status(ErrorKind kind) {
        return switch (kind) {
            case COMPILATION, METADATA, DEPENDENCY -> 422;
            case NOT_FOUND -> 404;
            case REFUSED -> 409;
            case BUSY, RATE_LIMIT -> 503;
            case PERMISSION -> 403;
            case IO -> 500;
            default -> 422;
        };
    }
}
