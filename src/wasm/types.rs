//! The TypeScript shapes of what the JS class takes and returns; the
//! methods name them through `unchecked_param_type`/`unchecked_return_type`,
//! so the shipped `.d.ts` has no `any` where the shape is known.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A property value: integers beyond ±2^53 come out as `bigint`, bytes as `Uint8Array`. */
export type PropertyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PropertyValue[]
  | { [key: string]: PropertyValue };

/** The properties of a node or edge: a plain object. */
export type Properties = { [key: string]: PropertyValue };

/** A node as returned by `getNode`, `getNodes`, `queryNodes`, ... */
export interface NodeRecord {
  id: string;
  label: string;
  properties: Properties;
}

/** An edge as returned by `getEdge`, `edgesFrom`, `queryEdges`, ... */
export interface EdgeRecord {
  /** Stable id, assigned when the edge was added. */
  id: number;
  label: string;
  source: string;
  target: string;
  properties: Properties;
  /** Creation time, milliseconds since the Unix epoch. */
  createdAt: number;
}

/** One node of `addNodes`. */
export interface NodeInput {
  label: string;
  id: string;
  properties?: Properties;
}

/** One edge of `addEdges`. */
export interface EdgeInput {
  label: string;
  source: string;
  target: string;
  properties?: Properties;
  /** Creation time in ms since the Unix epoch (default: now), e.g. when copying edges. */
  createdAt?: number;
}

/** One operation of `transaction(ops)`. */
export type Operation =
  | { op: "addNode"; label: string; id: string; properties?: Properties }
  | { op: "updateNode"; id: string; properties: Properties }
  | { op: "removeNode"; id: string }
  | { op: "addEdge"; label: string; source: string; target: string; properties?: Properties }
  | { op: "removeEdge"; id: number };

/** The counters `metrics()` returns. */
export interface Metrics {
  nodeCount: number;
  edgeCount: number;
  cacheHits: number;
  cacheMisses: number;
  /** 0.0 to 1.0. */
  cacheHitRate: number;
  cachedRecords: number;
  /** Secondary-index entries, all held in memory. */
  indexEntries: number;
  /** Property columns kept in memory for node queries. */
  queryColumns: number;
  activeTransactions: number;
  commits: number;
  rollbacks: number;
  topologyBytes: number;
  /** A persisted graph with changes no completed save holds. */
  unsavedChanges: boolean;
}

/** What `verifySnapshot` found. */
export interface SnapshotInfo {
  version: number;
  entries: number;
  nodes: number;
  edges: number;
}

/** Options of `KnowledgeGraph.open`. */
export interface OpenOptions {
  /** Save automatically this many milliseconds after the last write (`true`: 1000). Default off. */
  autosave?: boolean | number;
}

/** Query parameters: positional (`$1`, `$2`, ...) or named (`$name`). */
export type QueryParams = PropertyValue[] | { [name: string]: PropertyValue };

/** Which page of the matches a query returns. */
export interface PageOptions {
  offset?: number;
  limit?: number;
}

/** One step of a query plan. */
export type PlanStep =
  | { kind: "indexSeek"; index: string; keys: PropertyValue[]; rows: number }
  | { kind: "indexRange"; index: string; ranges: string[]; rows: number }
  | { kind: "labelScan"; label: string; rows: number }
  | { kind: "filter"; expression: string }
  | { kind: "propertyColumns"; properties: string[] };

/** What `explain` returns. */
export interface QueryPlan {
  usesIndex: boolean;
  steps: PlanStep[];
  /** The plan as text, one step per line. */
  text: string;
}

/** A secondary index. */
export interface IndexInfo {
  kind: "node" | "edge";
  label: string;
  property: string;
}

/** Which edges a walk follows. */
export type Direction = "out" | "in" | "both";

/** Options of `traverse`. */
export interface TraverseOptions {
  maxDepth?: number;
  direction?: Direction;
  /** Follow only edges with one of these labels. */
  edgeLabels?: string[];
}

/** A node reached by `traverse`. */
export interface Visit {
  node: NodeRecord;
  /** Hops from the start (0 for the start). */
  depth: number;
  /** The edge it was first reached by; `null` for the start. */
  via: EdgeRecord | null;
}

/** Options of `findPaths`. */
export interface PathSearchOptions {
  /** At most this many hops (default 5). */
  maxDepth?: number;
  direction?: Direction;
  edgeLabels?: string[];
  /** Stop after this many paths (default 10000). */
  maxPaths?: number;
}

/** A path found by `findPaths`. */
export interface GraphPath {
  nodes: string[];
  edges: number[];
}

/** Options of `toGraphology` / `fromGraphology`. */
export interface GraphologyOptions {
  /** The attribute that carries our label (default "label"). */
  labelKey?: string;
}

/** graphology's serialized format (`graph.export()` / `Graph.from(...)`). */
export interface GraphologySerialized {
  attributes?: { [key: string]: PropertyValue };
  options?: { type?: "directed" | "undirected" | "mixed"; multi?: boolean; allowSelfLoops?: boolean };
  nodes: { key: string | number; attributes?: { [key: string]: PropertyValue } }[];
  edges: {
    key?: string | number;
    source: string | number;
    target: string | number;
    attributes?: { [key: string]: PropertyValue };
    undirected?: boolean;
  }[];
}

/** Which part of the graph an algorithm runs on (default: all of it). */
export interface SubgraphOptions {
  /** Only nodes with one of these labels (and edges between them). */
  nodeLabels?: string[];
  /** Only edges with one of these labels. */
  edgeLabels?: string[];
  /** Numeric edge property used as weight (missing: 1); negative or non-numeric values throw. */
  weight?: string;
}

/** Options of `shortestPath` and `bfsDistances`. */
export interface ShortestPathOptions extends SubgraphOptions {
  direction?: Direction;
}

/** What `shortestPath` returns: node ids from start to end, and the hop count or total weight. */
export interface WeightedPath {
  nodes: string[];
  cost: number;
}

/** Options of `pageRank`. */
export interface PageRankOptions extends SubgraphOptions {
  /** Default 0.85. */
  damping?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Teleport weights by node id. */
  personalization?: { [id: string]: number };
}

/** What `pageRank` returns. */
export interface PageRankResult {
  ranks: { [id: string]: number };
  iterations: number;
  converged: boolean;
}

/** Options of `louvain`. */
export interface LouvainOptions extends SubgraphOptions {
  /** Default 1. */
  resolution?: number;
  /** Default 0; the same seed gives the same communities. */
  seed?: number;
}

/** What `louvain` returns. */
export interface Communities {
  community: { [id: string]: number };
  count: number;
  modularity: number;
}

/** Options of `components`. */
export interface ComponentsOptions extends SubgraphOptions {
  /** Strongly connected components instead of weakly connected ones. */
  strong?: boolean;
}

/** What `components` returns. */
export interface ComponentsResult {
  component: { [id: string]: number };
  count: number;
}

/** Options of `degrees`. */
export interface DegreeOptions extends SubgraphOptions {
  /** Default "both". */
  direction?: Direction;
}

/** What `triangles` returns. */
export interface TriangleResult {
  total: number;
  perNode: { [id: string]: number };
}

/** What `clustering` returns. */
export interface ClusteringResult {
  average: number;
  perNode: { [id: string]: number };
}

/** What `graphStats` returns. */
export interface GraphStats {
  nodes: number;
  edges: number;
  avgDegree: number;
  density: number;
  diameter: number;
  /** False when `diameter` is a lower bound (large graphs). */
  diameterExact: boolean;
}
"#;
