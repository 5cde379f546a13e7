package org.scriptbox.api.fleet;

import java.util.regex.Pattern;

/**
 * The topic namespace, modelled on Kura's: everything of one gateway lives under
 * {@code scriptbox/<fleet>/<gateway>/}, everything of a controller under {@code scriptbox/<fleet>/$controller/<id>/}.
 * <ul>
 *   <li>{@code state}: retained; {@code {"state":"online",...}} published at connect (birth) and
 *       {@code {"state":"offline"}} as the last will (death), so the retained value is always the current one</li>
 *   <li>{@code status}: retained; scripts with versions and statuses, health, devices, the applied package;
 *       published at connect and on every change</li>
 *   <li>{@code events}: not retained; one message per finished run (statistics of that run)</li>
 *   <li>{@code req/<command>}: requests (MQTT 5 response topic + correlation data) for the commands below</li>
 * </ul>
 */
public final class FleetTopics {
    public static final String ROOT = "scriptbox";
    public static final String STATE = "state";
    public static final String STATUS = "status";
    public static final String EVENTS = "events";
    public static final String REQUEST = "req";
    /** The segment that holds controllers; no gateway may take this id. */
    public static final String CONTROLLER = "$controller";
    /** The segment that holds revoked packages (retained, one topic per group and version); no gateway id either. */
    public static final String REVOKED = "$revoked";

    /** Commands a gateway answers on its request topics. */
    public static final String LIST = "list";
    public static final String RUN = "run";
    public static final String CANCEL = "cancel";
    public static final String DEPLOY = "deploy";
    public static final String UNDEPLOY = "undeploy";
    public static final String HISTORY = "history";
    public static final String ROLLBACK = "rollback";
    public static final String CONFIGURATION = "configuration";

    /** Fleet, gateway and group ids: one topic level each, never a wildcard or a separator. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private FleetTopics() {
    }

    /** Whether {@code id} can name a fleet, a gateway or a group. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static String gateway(String fleet, String gateway, String leaf) {
        return ROOT + "/" + fleet + "/" + gateway + "/" + leaf;
    }

    public static String request(String fleet, String gateway, String command) {
        return gateway(fleet, gateway, REQUEST + "/" + command);
    }

    /** The filter a gateway subscribes to for its requests. */
    public static String requests(String fleet, String gateway) {
        return gateway(fleet, gateway, REQUEST + "/+");
    }

    /** A leaf of every gateway of a fleet (for controllers): {@code scriptbox/<fleet>/+/<leaf>}. */
    public static String everyGateway(String fleet, String leaf) {
        return ROOT + "/" + fleet + "/+/" + leaf;
    }

    /** Where a controller receives its answers. */
    public static String responses(String fleet, String controller) {
        return ROOT + "/" + fleet + "/" + CONTROLLER + "/" + controller + "/res";
    }

    /** Where a halted package's revocation is kept (retained): {@code scriptbox/<fleet>/$revoked/<group>/<version>}. */
    public static String revocation(String fleet, String group, long version) {
        return ROOT + "/" + fleet + "/" + REVOKED + "/" + group + "/" + version;
    }

    /** The revocations of one group ({@code group}) or of all ({@code "#"} as group). */
    public static String revocations(String fleet, String group) {
        return ROOT + "/" + fleet + "/" + REVOKED + "/" + group + (group.equals("#") ? "" : "/+");
    }

    /** Whether a request's response topic is a controller's of this fleet (gateways answer nowhere else). */
    public static boolean isResponseTopic(String fleet, String topic) {
        String prefix = ROOT + "/" + fleet + "/" + CONTROLLER + "/";
        return topic != null && topic.startsWith(prefix) && topic.length() > prefix.length()
                && topic.indexOf('+') < 0 && topic.indexOf('#') < 0;
    }

    /** The gateway id of a topic {@code scriptbox/<fleet>/<gateway>/...}, or null for another shape. */
    public static String gatewayOf(String topic) {
        String[] parts = topic.split("/", -1);
        return parts.length >= 4 && ROOT.equals(parts[0]) && !parts[2].startsWith("$") ? parts[2] : null;
    }
}
