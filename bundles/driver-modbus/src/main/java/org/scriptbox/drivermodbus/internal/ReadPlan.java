package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.device.ChannelValue;

/**
 * Channels grouped into as few read requests as the protocol and the configuration allow: channels of one
 * table and unit whose registers (or bits) are contiguous, or at most {@code batch.gap} apart, share one
 * request of at most {@code batch.max.registers} registers or {@code batch.max.bits} bits. So N channels cost
 * ceil(N / batch) round trips instead of N.
 */
final class ReadPlan {
    private ReadPlan() {
    }

    /** One read request and the channels it carries. */
    record Batch(ChannelSpec.Table table, int unit, int start, int count, List<ChannelSpec> channels) {
        Batch {
            channels = List.copyOf(channels);
        }

        ModbusRequest request() {
            return new ModbusRequest(table.readFunction, start, count).forUnit(unit);
        }

        /** Each channel's value from the checked answer of {@link #request()}. */
        Map<String, ChannelValue> values(byte[] pdu) {
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            for (ChannelSpec c : channels) {
                int[] words = new int[c.span()];
                for (int i = 0; i < words.length; i++) {
                    int at = c.address() - start + i;
                    words[i] = table.bits() ? (ModbusRequest.bit(pdu, at) ? 1 : 0) : ModbusRequest.register(pdu, at);
                }
                values.put(c.name(), ChannelValue.of(c.decode(words)));
            }
            return values;
        }
    }

    static List<Batch> plan(List<ChannelSpec> channels, ModbusSettings.Batching batching) {
        Map<String, List<ChannelSpec>> groups = new LinkedHashMap<>();
        for (ChannelSpec c : channels) {
            groups.computeIfAbsent(c.table() + "/" + c.unit(), k -> new ArrayList<>()).add(c);
        }
        List<Batch> batches = new ArrayList<>();
        for (List<ChannelSpec> group : groups.values()) {
            List<ChannelSpec> sorted = new ArrayList<>(group);
            sorted.sort(Comparator.comparingInt(ChannelSpec::address));
            ChannelSpec.Table table = sorted.get(0).table();
            int max = table.bits() ? batching.maxBits() : batching.maxRegisters();
            int start = -1;
            int end = -1;   // exclusive
            List<ChannelSpec> members = new ArrayList<>();
            for (ChannelSpec c : sorted) {
                int cEnd = c.address() + c.span();
                if (start >= 0 && c.address() - end <= batching.gap() && Math.max(end, cEnd) - start <= max) {
                    end = Math.max(end, cEnd);
                    members.add(c);
                    continue;
                }
                if (start >= 0) {
                    batches.add(new Batch(table, c.unit(), start, end - start, members));
                }
                start = c.address();
                end = cEnd;
                members = new ArrayList<>(List.of(c));
            }
            batches.add(new Batch(table, sorted.get(0).unit(), start, end - start, members));
        }
        return batches;
    }
}
