package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.Test;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;

/** {@code device:reset ID}: releases a latched e-stop (api.device 2.4), says whether there was one, moves nothing. */
public class DeviceResetCommandTest {
    @Test
    public void resetSaysWhetherTheDeviceWasLatched() {
        AtomicBoolean latched = new AtomicBoolean(true);
        Device press = (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> "press";
                    case "resetEmergencyStop" -> latched.getAndSet(false);
                    case "hashCode" -> 1;
                    case "equals" -> proxy == args[0];
                    default -> throw new AssertionError("a reset must move nothing: " + method.getName());
                });
        DeviceCommands commands = new DeviceCommands();
        commands.directory = new DeviceDirectory() {
            @Override
            public Optional<Device> find(String id) {
                return "press".equals(id) ? Optional.of(press) : Optional.empty();
            }

            @Override
            public SortedSet<String> ids() {
                return new TreeSet<>(java.util.Set.of("press"));
            }
        };
        assertEquals("released press: ordinary commands are accepted again (nothing was moved)", commands.reset("press"));
        assertEquals("press was not latched", commands.reset("press"));
        assertEquals(true, commands.reset("nope").contains("nope"));
    }
}
