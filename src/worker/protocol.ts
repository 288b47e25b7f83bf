// Buck2's persistent-worker protocol: package `worker`, services Worker (Execute, Exec) and WorkerStreaming
// (ExecuteStream), with the message shapes of Buck2's app/buck2_worker_proto/worker.proto (same names, field numbers
// and types). Buck2 (at the pinned commit) calls Worker.Execute once per action, or WorkerStreaming.ExecuteStream
// when a WorkerInfo sets `streaming = True`; Worker.Exec is the newer form that carries a cancel event.
//
// The seven messages are encoded here in protobuf's wire format directly and handed to grpc-js as its
// serialize/deserialize functions. A protobuf library (protobufjs through @grpc/proto-loader) did the same job but
// took most of the worker's start-up, and Buck2 starts a worker for every build command.
import * as grpc from "@grpc/grpc-js";

export interface EnvironmentEntry {
  key: Buffer;
  value: Buffer;
}

export interface ExecuteCommand {
  argv: Buffer[];
  env: EnvironmentEntry[];
  timeout_s?: number;
}

export interface ExecuteResponse {
  exit_code: number;
  stderr: string;
  timed_out_after_s?: number;
}

/** a oneof: exactly one of the two is set */
export interface ExecuteEvent {
  command?: ExecuteCommand;
  cancel?: object;
}

export interface ExecuteCommandStream {
  request?: ExecuteCommand;
  id: number;
}

export interface ExecuteResponseStream {
  response?: ExecuteResponse;
  id: number;
}

// ------------------------------------------------------------------------------------------------ wire format

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

class Writer {
  private parts: Buffer[] = [];
  varint(n: number | bigint): void {
    // negative numbers (an int32 exit code) are sign-extended to 64 bits, as protobuf does
    let v = BigInt.asUintN(64, BigInt(n));
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.parts.push(Buffer.from(bytes));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  uint(field: number, n: number): void {
    this.tag(field, VARINT);
    this.varint(n);
  }
  bytes(field: number, b: Buffer): void {
    this.tag(field, LEN);
    this.varint(b.length);
    this.parts.push(b);
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** calls `onField(field, wire, value)` for each field: a bigint for varints, a Buffer for length-delimited ones */
function readFields(buf: Buffer, onField: (field: number, wire: number, value: bigint | Buffer) => void): void {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error("protobuf: truncated varint");
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === VARINT) onField(field, wire, varint());
    else if (wire === LEN) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error("protobuf: truncated field");
      onField(field, wire, buf.subarray(pos, pos + len));
      pos += len;
    } else if (wire === I64) pos += 8;
    else if (wire === I32) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

const asBuf = (v: bigint | Buffer): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));
const asNum = (v: bigint | Buffer): number => (typeof v === "bigint" ? Number(BigInt.asUintN(64, v)) : 0);
const asInt32 = (v: bigint | Buffer): number => (typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : 0);

function writeCommand(m: ExecuteCommand): Buffer {
  const w = new Writer();
  for (const a of m.argv) w.bytes(1, a);
  for (const e of m.env) {
    const ew = new Writer();
    if (e.key.length > 0) ew.bytes(1, e.key);
    if (e.value.length > 0) ew.bytes(2, e.value);
    w.bytes(2, ew.finish());
  }
  if (m.timeout_s !== undefined) w.uint(3, m.timeout_s);
  return w.finish();
}

function readCommand(buf: Buffer): ExecuteCommand {
  const m: ExecuteCommand = { argv: [], env: [] };
  readFields(buf, (f, _w, v) => {
    if (f === 1) m.argv.push(Buffer.from(asBuf(v)));
    else if (f === 2) {
      const e: EnvironmentEntry = { key: Buffer.alloc(0), value: Buffer.alloc(0) };
      readFields(asBuf(v), (ef, _ew, ev) => {
        if (ef === 1) e.key = Buffer.from(asBuf(ev));
        else if (ef === 2) e.value = Buffer.from(asBuf(ev));
      });
      m.env.push(e);
    } else if (f === 3) m.timeout_s = asNum(v);
  });
  return m;
}

function writeResponse(m: ExecuteResponse): Buffer {
  const w = new Writer();
  if (m.exit_code !== 0) w.uint(1, m.exit_code);
  if (m.stderr !== "") w.bytes(2, Buffer.from(m.stderr, "utf8"));
  if (m.timed_out_after_s !== undefined) w.uint(3, m.timed_out_after_s);
  return w.finish();
}

function readResponse(buf: Buffer): ExecuteResponse {
  const m: ExecuteResponse = { exit_code: 0, stderr: "" };
  readFields(buf, (f, _w, v) => {
    if (f === 1) m.exit_code = asInt32(v);
    else if (f === 2) m.stderr = asBuf(v).toString("utf8");
    else if (f === 3) m.timed_out_after_s = asNum(v);
  });
  return m;
}

function writeEvent(m: ExecuteEvent): Buffer {
  const w = new Writer();
  if (m.command !== undefined) w.bytes(1, writeCommand(m.command));
  else if (m.cancel !== undefined) w.bytes(2, Buffer.alloc(0));
  return w.finish();
}

function readEvent(buf: Buffer): ExecuteEvent {
  const m: ExecuteEvent = {};
  readFields(buf, (f, _w, v) => {
    // a oneof: the last member on the wire wins
    if (f === 1) {
      m.command = readCommand(asBuf(v));
      delete m.cancel;
    } else if (f === 2) {
      m.cancel = {};
      delete m.command;
    }
  });
  return m;
}

function writeCommandStream(m: ExecuteCommandStream): Buffer {
  const w = new Writer();
  if (m.request !== undefined) w.bytes(1, writeCommand(m.request));
  if (m.id !== 0) w.uint(2, m.id);
  return w.finish();
}

function readCommandStream(buf: Buffer): ExecuteCommandStream {
  const m: ExecuteCommandStream = { id: 0 };
  readFields(buf, (f, _w, v) => {
    if (f === 1) m.request = readCommand(asBuf(v));
    else if (f === 2) m.id = asNum(v);
  });
  return m;
}

function writeResponseStream(m: ExecuteResponseStream): Buffer {
  const w = new Writer();
  if (m.response !== undefined) w.bytes(1, writeResponse(m.response));
  if (m.id !== 0) w.uint(2, m.id);
  return w.finish();
}

function readResponseStream(buf: Buffer): ExecuteResponseStream {
  const m: ExecuteResponseStream = { id: 0 };
  readFields(buf, (f, _w, v) => {
    if (f === 1) m.response = readResponse(asBuf(v));
    else if (f === 2) m.id = asNum(v);
  });
  return m;
}

export const codec = { writeCommand, readCommand, writeResponse, readResponse, writeEvent, readEvent };

// ------------------------------------------------------------------------------------------------ services

function method<Req, Res>(
  service: string,
  name: string,
  req: [(m: Req) => Buffer, (b: Buffer) => Req],
  res: [(m: Res) => Buffer, (b: Buffer) => Res],
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<Req, Res> {
  return {
    path: `/worker.${service}/${name}`,
    requestStream,
    responseStream,
    requestSerialize: req[0],
    requestDeserialize: req[1],
    responseSerialize: res[0],
    responseDeserialize: res[1],
    originalName: name,
  };
}

const COMMAND: [typeof writeCommand, typeof readCommand] = [writeCommand, readCommand];
const RESPONSE: [typeof writeResponse, typeof readResponse] = [writeResponse, readResponse];

export const WORKER_SERVICE = {
  Execute: method("Worker", "Execute", COMMAND, RESPONSE, false, false),
  Exec: method("Worker", "Exec", [writeEvent, readEvent], RESPONSE, true, false),
};

export const WORKER_STREAMING_SERVICE = {
  ExecuteStream: method("WorkerStreaming", "ExecuteStream", [writeCommandStream, readCommandStream], [writeResponseStream, readResponseStream], true, true),
};

interface WorkerPackage {
  worker: {
    Worker: grpc.ServiceClientConstructor;
    WorkerStreaming: grpc.ServiceClientConstructor;
  };
}

let clients: WorkerPackage | undefined;

/** client constructors (with `.service` for servers) of the two services */
export function workerPackage(): WorkerPackage {
  return (clients ??= {
    worker: {
      Worker: grpc.makeGenericClientConstructor(WORKER_SERVICE as unknown as grpc.ServiceDefinition, "Worker"),
      WorkerStreaming: grpc.makeGenericClientConstructor(WORKER_STREAMING_SERVICE as unknown as grpc.ServiceDefinition, "WorkerStreaming"),
    },
  });
}

/** the grpc-js address of a unix socket path */
export function socketAddress(path: string): string {
  return `unix:${path}`;
}
