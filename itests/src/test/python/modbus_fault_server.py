#!/usr/bin/python3
"""A Modbus TCP server (pymodbus) with injected faults, for scriptbox's driver tests.

The tests assert on what this server saw and holds, not on what the driver believes it sent:

  modbus_fault_server.py [--port P] [--control C] [--framer socket|rtu] [--serial DEVICE --baud B]

serves Modbus TCP on 127.0.0.1:P (units 1 and 2, zero-based addresses, 1,000 of each table) and a control channel
on 127.0.0.1:C: one command per line in, its answer out (below). When both listen it prints
"READY modbus=P control=C" on stdout. Port 0 picks a free port; a restart passes the same ports again.
--framer rtu serves RTU frames (unit, PDU, CRC) over TCP instead of Modbus TCP frames; --serial serves RTU on a
serial line (a pseudo-terminal of a socat pair in the tests; then modbus=0).

Control commands (one line each, words separated by spaces):
  get TABLE ADDRESS COUNT        -> the values on one line; TABLE is coils, discrete, holding or input (unit 1)
  set TABLE ADDRESS VALUE...     -> ok (written directly, not logged)
  uget UNIT TABLE ADDRESS COUNT, uset UNIT TABLE ADDRESS VALUE...  -> the same for unit 1 or 2
  fault FN ADDRESS KIND [ARG]    -> ok; for requests with function code FN at ADDRESS (-1: any address):
        delay ARG ms before applying and answering; exception: answer exception code ARG (default 4);
        silent: apply nothing, never answer; empty: a well-framed answer with byte count 0;
        short: a well-framed answer whose byte count promises more than it carries;
        drop: close the connection on the next such request (once), applying nothing;
        delayonce: as delay, for the next such request only (a write in flight that a later one overtakes)
  clear                          -> ok; removes every fault
  clearlog                       -> ok; empties the request log
  log                            -> the number of requests, then one line per request:
        conn=N tid=T unit=U fn=F address=A value=V answered=0|1 at=SECONDS done=SECONDS|-
        (value: the written value, or the count of a read; at/done: monotonic clock)
"""
import argparse
import asyncio
import logging
import struct
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import (ModbusConnectedRequestHandler, ModbusSerialServer, ModbusSingleRequestHandler,
                                     ModbusTcpServer)
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

SIZE = 1000
UNIT = 1



def new_store():
    return ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [0] * SIZE),
        co=ModbusSequentialDataBlock(0, [0] * SIZE),
        hr=ModbusSequentialDataBlock(0, [0] * SIZE),
        ir=ModbusSequentialDataBlock(0, [0] * SIZE),
        zero_mode=True,
    )


stores = {UNIT: new_store(), 2: new_store()}
store = stores[UNIT]
context = ModbusServerContext(slaves=stores, single=False)
TABLES = {"coils": 1, "discrete": 2, "holding": 3, "input": 4}   # pymodbus reads tables by function code
RTU = [False]   # answers framed as RTU (unit, PDU, CRC) rather than Modbus TCP


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return struct.pack("<H", crc)
faults = []
log = []
connections = [0]


def fault_for(request):
    for f in faults:
        if f["function"] == request.function_code and f["address"] in (-1, getattr(request, "address", None)):
            return f
    return None


def describe(request, conn):
    entry = {"conn": conn, "tid": request.transaction_id, "unit": request.unit_id, "fn": request.function_code,
             "address": getattr(request, "address", None), "at": time.monotonic(), "done": None, "answered": False}
    if hasattr(request, "values") and request.values is not None:
        entry["values"] = [int(v) for v in request.values]
    elif hasattr(request, "value") and request.value is not None:
        entry["value"] = int(request.value)
    if hasattr(request, "count"):
        entry["count"] = request.count
    return entry


class Faulty:
    """Faults applied per request before pymodbus' own handler executes it (mixed into its TCP and serial handlers)."""

    def connection_made(self, transport):
        connections[0] += 1
        self.conn = connections[0]
        super().connection_made(transport)

    def execute(self, request, *addr):
        entry = describe(request, self.conn)
        log.append(entry)
        fault = fault_for(request)
        kind = fault["kind"] if fault else None
        if kind == "silent":
            return
        if kind == "drop":   # one shot: the connection breaks on this request, nothing applied or answered
            faults.remove(fault)
            self.transport.close()
            return
        if kind == "delayonce":
            faults.remove(fault)
            kind = "delay"
        if kind == "delay":
            asyncio.get_event_loop().call_later(fault["ms"] / 1000.0, self.answer, request, entry, None, addr)
            return
        self.answer(request, entry, fault, addr)

    def answer(self, request, entry, fault, addr):
        kind = fault["kind"] if fault else None
        entry["done"] = time.monotonic()
        if self.transport is None or self.transport.is_closing():
            # the client went away while a delayed request waited: the device still acts on what it received
            if kind is None:
                request.execute(context[request.unit_id])
            return
        entry["answered"] = True
        if kind == "exception":
            self.raw(request, bytes([request.function_code | 0x80, fault.get("code", 4)]))
        elif kind == "empty":
            self.raw(request, bytes([request.function_code, 0]))
        elif kind == "short":
            self.raw(request, bytes([request.function_code, 4, 0]))
        else:
            super().execute(request, *addr)

    def raw(self, request, pdu):
        if RTU[0]:
            frame = bytes([request.unit_id]) + pdu
            self.transport.write(frame + crc16(frame))
        else:
            self.transport.write(struct.pack(">HHHB", request.transaction_id, 0, len(pdu) + 1, request.unit_id) + pdu)


class FaultyHandler(Faulty, ModbusConnectedRequestHandler):
    pass


class FaultySerialHandler(Faulty, ModbusSingleRequestHandler):
    pass


def log_line(e):
    value = e.get("value", e.get("count", ",".join(str(v) for v in e.get("values", []))))
    done = "-" if e["done"] is None else f"{e['done']:.6f}"
    return (f"conn={e['conn']} tid={e['tid']} unit={e['unit']} fn={e['fn']} address={e['address']} value={value} "
            f"answered={int(e['answered'])} at={e['at']:.6f} done={done}")


def control(words):
    op = words[0]
    if op in ("uget", "uset"):   # the same for another unit: uget UNIT TABLE ...
        return control_unit(stores[int(words[1])], [op[1:]] + words[2:])
    if op in ("get", "set"):
        return control_unit(store, words)
    if op == "fault":      # fault FN ADDRESS KIND [MS-or-CODE]
        arg = int(words[4]) if len(words) > 4 else 0
        faults.insert(0, {"function": int(words[1]), "address": int(words[2]), "kind": words[3],
                          "ms": arg, "code": arg or 4})
        return ["ok"]
    if op == "clear":
        faults.clear()
        return ["ok"]
    if op == "clearlog":
        log.clear()
        return ["ok"]
    if op == "log":        # the count, then one line per request
        entries = list(log)
        return [str(len(entries))] + [log_line(e) for e in entries]
    return [f"error unknown op {op}"]


def control_unit(unit_store, words):
    if words[0] == "get":        # get TABLE ADDRESS COUNT -> the values, space-separated
        return [" ".join(str(int(v)) for v in unit_store.getValues(TABLES[words[1]], int(words[2]), int(words[3])))]
    unit_store.setValues(TABLES[words[1]], int(words[2]), [int(v) for v in words[3:]])   # set TABLE ADDRESS V...
    return ["ok"]


async def serve_control(reader, writer):
    while line := await reader.readline():
        try:
            answer = control(line.decode().split())
        except Exception as e:   # a broken test command must be seen by the test, not end the server
            answer = [f"error {e!r}"]
        writer.write(("\n".join(answer) + "\n").encode())
        await writer.drain()
    writer.close()


async def main(port, control_port, framer, serial, baud):
    RTU[0] = framer == "rtu" or serial is not None
    if serial is not None:
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=serial, baudrate=baud,
                                    handler=FaultySerialHandler)
        await server.start()
        modbus = asyncio.create_task(server.serve_forever())
        listening = 0
    else:
        server = ModbusTcpServer(context, address=("127.0.0.1", port), handler=FaultyHandler, allow_reuse_address=True,
                                 framer=ModbusRtuFramer if RTU[0] else ModbusSocketFramer)
        modbus = asyncio.create_task(server.serve_forever())
        await server.serving
        listening = server.server.sockets[0].getsockname()[1]
    side = await asyncio.start_server(serve_control, "127.0.0.1", control_port, reuse_address=True)
    print(f"READY modbus={listening} control={side.sockets[0].getsockname()[1]}", flush=True)
    await modbus


if __name__ == "__main__":
    # pymodbus logs every closed client connection as an ERROR: that is the tests' normal business
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control", type=int, default=0)
    parser.add_argument("--framer", choices=["socket", "rtu"], default="socket")
    parser.add_argument("--serial", default=None)
    parser.add_argument("--baud", type=int, default=19200)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.port, args.control, args.framer, args.serial, args.baud))
    except KeyboardInterrupt:
        sys.exit(0)
