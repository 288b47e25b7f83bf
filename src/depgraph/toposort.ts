// Topological order on a graphology graph whose nodes are feature indices: Kahn's algorithm with a min-heap,
// so ties always go to the feature that came first in the input. Cycles are reported per strongly connected
// component, each as one concrete cycle rotated to start at its smallest index.
import type { EdgeList } from "./model.js";

class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

export interface TopoResult {
  order: number[];
  /** each a cycle of node indices, smallest first; empty when the graph is acyclic */
  cycles: number[][];
}

/** Nodes are 0..n-1. */
export function topoSort(edges: EdgeList, n: number): TopoResult {
  const indeg = new Int32Array(n);
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < edges.from.length; e++) {
    succ[edges.from[e]!]!.push(edges.to[e]!);
    indeg[edges.to[e]!]!++;
  }
  const heap = new MinHeap();
  for (let i = 0; i < n; i++) if (indeg[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    for (const w of succ[v]!) if (--indeg[w]! === 0) heap.push(w);
  }
  if (order.length === n) return { order, cycles: [] };
  const remaining = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (indeg[i]! > 0) remaining[i] = 1;
  return { order, cycles: findCycles(succ, remaining) };
}

/** Tarjan's SCC (iterative) over the remaining nodes, then one shortest cycle per component. */
function findCycles(succ: number[][], remaining: Uint8Array): number[][] {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const comp = new Int32Array(n).fill(-1);
  const comps: number[][] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (!remaining[s] || index[s] !== -1) continue;
    const work: Array<[number, number]> = [[s, 0]];
    index[s] = low[s] = counter++;
    stack.push(s);
    onStack[s] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      const next = succ[v]!;
      if (i < next.length) {
        frame[1]++;
        const w = next[i]!;
        if (!remaining[w]) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
      } else {
        work.pop();
        if (work.length > 0) {
          const u = work[work.length - 1]![0];
          low[u] = Math.min(low[u]!, low[v]!);
        }
        if (low[v] === index[v]) {
          const members: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = comps.length;
            members.push(w);
          } while (w !== v);
          comps.push(members);
        }
      }
    }
  }
  const cycles: number[][] = [];
  comps.forEach((members, c) => {
    const start = Math.min(...members);
    const selfLoop = succ[start]!.includes(start);
    if (members.length === 1 && !selfLoop) return;
    cycles.push(shortestCycle(succ, comp, c, start));
  });
  return cycles.sort((a, b) => a[0]! - b[0]!);
}

/** BFS inside one component from `start` back to `start`, visiting successors in ascending order. */
function shortestCycle(succ: number[][], comp: Int32Array, c: number, start: number): number[] {
  const prev = new Map<number, number>();
  const queue = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi]!;
    for (const w of [...succ[v]!].sort((a, b) => a - b)) {
      if (comp[w] !== c) continue;
      if (w === start) {
        const path = [v];
        let x = v;
        while (x !== start) {
          x = prev.get(x)!;
          path.push(x);
        }
        return path.reverse();
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}
