// A scripted Language Server Protocol client for `buck2 lsp`: JSON-RPC 2.0 over stdio, Content-Length framing.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { pathToFileURL } from "node:url";

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Diagnostic {
  range: Range;
  message: string;
  severity?: number;
}
export interface LocationLink {
  targetUri: string;
  targetRange: Range;
  originSelectionRange?: Range;
}

interface Message {
  jsonrpc: "2.0";
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly diagnosticWaiters: { uri: string; version: number; resolve: (d: Diagnostic[]) => void }[] = [];
  private stderr = "";
  readonly rootUri: string;

  constructor(buck2: string, private readonly root: string) {
    this.rootUri = pathToFileURL(root).href;
    this.proc = spawn(buck2, ["lsp"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.proc.on("exit", (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`buck2 lsp exited (${code}) with a request pending:\n${this.stderr}`));
      this.pending.clear();
    });
  }

  uri(rel: string): string {
    return pathToFileURL(`${this.root}/${rel}`).href;
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"));
      if (length === null) throw new Error(`LSP message without Content-Length: ${this.buffer.subarray(0, headerEnd).toString()}`);
      const start = headerEnd + 4;
      const end = start + Number(length[1]);
      if (this.buffer.length < end) return;
      const message = JSON.parse(this.buffer.subarray(start, end).toString("utf8")) as Message;
      this.buffer = this.buffer.subarray(end);
      this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    if (message.id !== undefined && message.method === undefined) {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      p?.resolve(message);
    } else if (message.method === "textDocument/publishDiagnostics") {
      const params = message.params as { uri: string; version?: number; diagnostics: Diagnostic[] };
      const i = this.diagnosticWaiters.findIndex((w) => w.uri === params.uri && (params.version === undefined || params.version === w.version));
      if (i >= 0) this.diagnosticWaiters.splice(i, 1)[0]!.resolve(params.diagnostics);
    }
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]));
  }

  async request<T>(method: string, params: unknown): Promise<T> {
    const id = ++this.nextId;
    const reply = await new Promise<Message>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as T;
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.request<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: this.rootUri,
      capabilities: {},
      workspaceFolders: [{ uri: this.rootUri, name: "strata" }],
    });
    this.notify("initialized", {});
    return result;
  }

  /** Opens a document with `text` and resolves with the diagnostics the server publishes for it. */
  open(rel: string, text: string, version = 1): Promise<Diagnostic[]> {
    const uri = this.uri(rel);
    const diagnostics = new Promise<Diagnostic[]>((resolve) => this.diagnosticWaiters.push({ uri, version, resolve }));
    this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "starlark", version, text } });
    return diagnostics;
  }

  /** Replaces a document's text and resolves with the diagnostics the server publishes for it. */
  change(rel: string, text: string, version: number): Promise<Diagnostic[]> {
    const uri = this.uri(rel);
    const diagnostics = new Promise<Diagnostic[]>((resolve) => this.diagnosticWaiters.push({ uri, version, resolve }));
    this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return diagnostics;
  }

  /** The hover text at `position` of `rel`, its markdown parts joined ("" for none). */
  async hover(rel: string, position: Position): Promise<string> {
    const r = await this.request<{ contents: unknown } | null>("textDocument/hover", { textDocument: { uri: this.uri(rel) }, position });
    const parts = r === null ? [] : Array.isArray(r.contents) ? r.contents : [r.contents];
    return parts.map((p) => (typeof p === "string" ? p : (p as { value: string }).value)).join("\n");
  }

  async definition(rel: string, position: Position, fromUri?: string): Promise<LocationLink[]> {
    const r = await this.request<LocationLink[] | LocationLink | null>("textDocument/definition", {
      textDocument: { uri: fromUri ?? this.uri(rel) },
      position,
    });
    return r === null ? [] : Array.isArray(r) ? r : [r];
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    try {
      await this.request("shutdown", null);
      this.notify("exit", null);
    } catch {
      /* already gone */
    }
    await exited;
  }
}

/** The position of the `offset`-th character of the first occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, offset = 0): Position {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${JSON.stringify(needle)} is not in the text`);
  return { line, character: lines[line]!.indexOf(needle) + offset };
}
