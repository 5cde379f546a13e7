package org.scriptbox.api.device;

/** The device could not be reached (link lost, driver stopping); the caller may retry later. */
public class DeviceException extends Exception {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
