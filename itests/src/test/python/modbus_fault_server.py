#!/usr/bin/python3
"""A Modbus TCP server (pymodbus) with injected faults, for scriptbox's driver tests.

The tests assert on what this server saw and holds, not on what the driver believes it sent:

  modbus_fault_server.py [--port P] [--control C]

serves Modbus TCP on 127.0.0.1:P (unit 1, zero-based addresses, 1,000 of each table) and a control channel on
127.0.0.1:C: one JSON object per line in, one per line out. When both listen it prints
"READY modbus=P control=C" on stdout. Port 0 picks a free port; a restart passes the same ports again.

Control operations ({"op": ...}):
  state                  -> {"holding": [...], "coils": [...], "input": [...], "log": [...]}  (first 64 of each)
  set    table address values    write "holding" | "coils" | "input" directly (not logged)
  fault  function address kind [ms] [code]   inject a fault for requests with that function code and address
         (address -1 = any): kind "delay" (apply and answer after ms), "exception" (answer exception code),
         "silent" (apply nothing, never answer), "empty" (a well-framed answer carrying no data: byte count 0),
         "short" (a well-framed answer whose byte count promises more than it carries)
  clear                  remove every fault
  clearlog               empty the request log

Each log entry: {"conn": n, "tid": t, "unit": u, "fn": f, "address": a, "value": v or "count": c or "values": [...],
"at": monotonic seconds when received, "done": seconds when applied/answered or null, "answered": bool}.
"""
import argparse
import asyncio
import json
import struct
import sys
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import ModbusConnectedRequestHandler, ModbusTcpServer

SIZE = 1000
SHOWN = 64
UNIT = 1

store = ModbusSlaveContext(
    di=ModbusSequentialDataBlock(0, [0] * SIZE),
    co=ModbusSequentialDataBlock(0, [0] * SIZE),
    hr=ModbusSequentialDataBlock(0, [0] * SIZE),
    ir=ModbusSequentialDataBlock(0, [0] * SIZE),
    zero_mode=True,
)
context = ModbusServerContext(slaves={UNIT: store}, single=False)
TABLES = {"coils": 1, "holding": 3, "input": 4}   # pymodbus reads tables by function code
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


class FaultyHandler(ModbusConnectedRequestHandler):
    """pymodbus' own TCP handler, with faults applied per request before it executes."""

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
        if kind == "delay":
            asyncio.get_event_loop().call_later(fault["ms"] / 1000.0, self.answer, request, entry, None, addr)
            return
        self.answer(request, entry, fault, addr)

    def answer(self, request, entry, fault, addr):
        if self.transport is None or self.transport.is_closing():
            return   # the client went away while a delayed request waited: a real device would not answer either
        kind = fault["kind"] if fault else None
        entry["done"] = time.monotonic()
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
        self.transport.write(struct.pack(">HHHB", request.transaction_id, 0, len(pdu) + 1, request.unit_id) + pdu)


def state():
    return {name: [int(v) for v in store.getValues(fn, 0, SHOWN)] for name, fn in TABLES.items()} | {"log": log}


def control(command):
    op = command.get("op")
    if op == "state":
        return state()
    if op == "set":
        store.setValues(TABLES[command["table"]], command["address"], command["values"])
        return {"ok": True}
    if op == "fault":
        faults.insert(0, {"function": command["function"], "address": command.get("address", -1),
                          "kind": command["kind"], "ms": command.get("ms", 0), "code": command.get("code", 4)})
        return {"ok": True}
    if op == "clear":
        faults.clear()
        return {"ok": True}
    if op == "clearlog":
        log.clear()
        return {"ok": True}
    return {"error": f"unknown op {op!r}"}


async def serve_control(reader, writer):
    while line := await reader.readline():
        try:
            answer = control(json.loads(line))
        except Exception as e:   # a broken test command must be seen by the test, not end the server
            answer = {"error": repr(e)}
        writer.write((json.dumps(answer) + "\n").encode())
        await writer.drain()
    writer.close()


async def main(port, control_port):
    server = ModbusTcpServer(context, address=("127.0.0.1", port), handler=FaultyHandler, allow_reuse_address=True)
    modbus = asyncio.create_task(server.serve_forever())
    await server.serving
    side = await asyncio.start_server(serve_control, "127.0.0.1", control_port, reuse_address=True)
    print(f"READY modbus={server.server.sockets[0].getsockname()[1]} control={side.sockets[0].getsockname()[1]}",
          flush=True)
    await modbus


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.port, args.control))
    except KeyboardInterrupt:
        sys.exit(0)
