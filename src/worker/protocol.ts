// Buck2's persistent-worker protocol (package `worker`, services Worker and WorkerStreaming), written here as a
// protobufjs JSON definition with the same wire shape as Buck2's app/buck2_worker_proto/worker.proto: the same
// package, service, method, message and field names, field numbers and types. Buck2 (at the pinned commit) calls
// Worker.Execute once per action, or WorkerStreaming.ExecuteStream when a WorkerInfo sets `streaming = True`;
// Worker.Exec is the newer form that carries a cancel event. All three are served.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const WORKER_PROTO = {
  nested: {
    worker: {
      nested: {
        ExecuteCommand: {
          fields: {
            argv: { rule: "repeated", type: "bytes", id: 1 },
            env: { rule: "repeated", type: "EnvironmentEntry", id: 2 },
            timeout_s: { type: "uint64", id: 3, options: { proto3_optional: true } },
          },
          nested: {
            EnvironmentEntry: { fields: { key: { type: "bytes", id: 1 }, value: { type: "bytes", id: 2 } } },
          },
        },
        ExecuteResponse: {
          fields: {
            exit_code: { type: "int32", id: 1 },
            stderr: { type: "string", id: 2 },
            timed_out_after_s: { type: "uint64", id: 3, options: { proto3_optional: true } },
          },
        },
        ExecuteCancel: { fields: {} },
        ExecuteEvent: {
          oneofs: { data: { oneof: ["command", "cancel"] } },
          fields: { command: { type: "ExecuteCommand", id: 1 }, cancel: { type: "ExecuteCancel", id: 2 } },
        },
        ExecuteCommandStream: { fields: { request: { type: "ExecuteCommand", id: 1 }, id: { type: "uint64", id: 2 } } },
        ExecuteResponseStream: { fields: { response: { type: "ExecuteResponse", id: 1 }, id: { type: "uint64", id: 2 } } },
        Worker: {
          methods: {
            Execute: { requestType: "ExecuteCommand", responseType: "ExecuteResponse" },
            Exec: { requestType: "ExecuteEvent", requestStream: true, responseType: "ExecuteResponse" },
          },
        },
        WorkerStreaming: {
          methods: {
            ExecuteStream: {
              requestType: "ExecuteCommandStream",
              requestStream: true,
              responseType: "ExecuteResponseStream",
              responseStream: true,
            },
          },
        },
      },
    },
  },
};

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

export interface ExecuteEvent {
  command?: ExecuteCommand;
  cancel?: object;
  data?: "command" | "cancel";
}

export interface ExecuteCommandStream {
  request?: ExecuteCommand;
  id: number;
}

export interface ExecuteResponseStream {
  response: ExecuteResponse;
  id: number;
}

interface WorkerPackage {
  worker: {
    Worker: grpc.ServiceClientConstructor;
    WorkerStreaming: grpc.ServiceClientConstructor;
  };
}

let loaded: WorkerPackage | undefined;

/** the services, as grpc-js definitions and client constructors */
export function workerPackage(): WorkerPackage {
  // repeated fields as [] and absent optionals as undefined; uint64 as JS numbers (seconds and ids fit)
  const definition = protoLoader.fromJSON(WORKER_PROTO as unknown as Parameters<typeof protoLoader.fromJSON>[0], { longs: Number, defaults: false, arrays: true, oneofs: true });
  return (loaded ??= grpc.loadPackageDefinition(definition) as unknown as WorkerPackage);
}

/** the grpc-js address of a unix socket path */
export function socketAddress(path: string): string {
  return `unix:${path}`;
}
