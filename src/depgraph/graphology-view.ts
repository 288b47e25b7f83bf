// A phase's ordering edges as a graphology DirectedGraph, for tools and inspection. Its own module so that
// building a layer (which keeps edges in plain arrays) does not load graphology at start-up.
import graphology from "graphology";
import type { EdgeList } from "./model.js";

const { DirectedGraph } = graphology;

/** nodes are the feature indices 0..n-1 as strings; an edge runs from provider to requirer */
export function toGraphology(n: number, edges: EdgeList): InstanceType<typeof DirectedGraph> {
  const graph = new DirectedGraph({ allowSelfLoops: false, multi: false });
  for (let i = 0; i < n; i++) graph.addNode(String(i));
  for (let e = 0; e < edges.from.length; e++) graph.addDirectedEdge(String(edges.from[e]), String(edges.to[e]));
  return graph;
}
