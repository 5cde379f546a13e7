package org.scriptbox.api.security;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The operator's permission policy (configured through ConfigAdmin): which of the permissions a script
 * requests it is granted, per script name pattern and per device.
 */
@ProviderType
public interface PermissionService {
    /** The subset of {@code requested} the policy grants to this script on any device. */
    Set<String> grant(String scriptName, Set<String> requested);

    /** Whether a script that holds {@code granted} may use {@code permission} on {@code deviceId}. */
    boolean isAllowed(String scriptName, Set<String> granted, String permission, String deviceId);
}
