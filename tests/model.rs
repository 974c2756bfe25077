//! Model test: random operation sequences, including ones that must fail,
//! applied to the graph and to a naive model must agree, on memory and on
//! sled, including after closing and reopening the sled database.
// Native only (tokio, sled, proptest): `wasm-pack test` builds every test
// target for wasm32, where this one is then empty.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use knowledge_graph::{block_on, EdgeId, Graph, MemoryStorage, SledStorage, Storage, Value};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    AddNode {
        id: u8,
        label: u8,
        value: i64,
    },
    UpdateNode {
        id: u8,
        value: i64,
    },
    RemoveNode {
        id: u8,
    },
    AddEdge {
        label: u8,
        source: u8,
        target: u8,
        value: i64,
    },
    RemoveEdge {
        pick: u16,
    },
    Batch(Vec<Step>),
    Reopen,
}

fn single_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..12, 0u8..3, any::<i64>()).prop_map(|(id, label, value)| Step::AddNode { id, label, value }),
        1 => (0u8..12, any::<i64>()).prop_map(|(id, value)| Step::UpdateNode { id, value }),
        1 => (0u8..12).prop_map(|id| Step::RemoveNode { id }),
        5 => (0u8..2, 0u8..12, 0u8..12, any::<i64>())
            .prop_map(|(label, source, target, value)| Step::AddEdge { label, source, target, value }),
        2 => any::<u16>().prop_map(|pick| Step::RemoveEdge { pick }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => single_step(),
        2 => prop::collection::vec(single_step(), 1..6).prop_map(Step::Batch),
        1 => Just(Step::Reopen),
    ]
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Model {
    nodes: BTreeMap<String, (String, Value)>,
    edges: BTreeMap<u64, (String, String, String, Value)>,
    next_edge: u64,
}

fn node_id(id: u8) -> String {
    format!("n{id}")
}

impl Model {
    /// Applies one step; `Err` when the graph must reject it.
    fn apply(&mut self, step: &Step) -> Result<(), ()> {
        match step {
            Step::AddNode { id, label, value } => {
                let id = node_id(*id);
                if self.nodes.contains_key(&id) {
                    return Err(());
                }
                self.nodes
                    .insert(id, (format!("l{label}"), Value::Int(*value)));
            }
            Step::UpdateNode { id, value } => {
                let node = self.nodes.get_mut(&node_id(*id)).ok_or(())?;
                node.1 = Value::Int(*value);
            }
            Step::RemoveNode { id } => {
                let id = node_id(*id);
                self.nodes.remove(&id).ok_or(())?;
                self.edges.retain(|_, (_, s, t, _)| *s != id && *t != id);
            }
            Step::AddEdge {
                label,
                source,
                target,
                value,
            } => {
                let (s, t) = (node_id(*source), node_id(*target));
                if !self.nodes.contains_key(&s) || !self.nodes.contains_key(&t) {
                    return Err(());
                }
                self.edges.insert(
                    self.next_edge,
                    (format!("e{label}"), s, t, Value::Int(*value)),
                );
                self.next_edge += 1;
            }
            Step::RemoveEdge { pick } => {
                let id = self.edge_pick(*pick);
                self.edges.remove(&id).ok_or(())?;
            }
            Step::Batch(steps) => {
                let saved = self.clone();
                for s in steps {
                    if self.apply(s).is_err() {
                        *self = saved;
                        return Err(());
                    }
                }
            }
            Step::Reopen => {}
        }
        Ok(())
    }

    /// An existing edge most of the time, a missing one sometimes.
    fn edge_pick(&self, pick: u16) -> u64 {
        if self.edges.is_empty() || pick % 5 == 0 {
            return u64::from(pick) + 1_000_000;
        }
        *self
            .edges
            .keys()
            .nth(usize::from(pick) % self.edges.len())
            .unwrap()
    }
}

fn queue<Q: std::ops::DerefMut<Target = knowledge_graph::OpQueue>>(
    q: &mut Q,
    step: &Step,
    model: &Model,
) {
    match step {
        Step::AddNode { id, label, value } => q
            .add_node(&format!("l{label}"), &node_id(*id), &Value::Int(*value))
            .unwrap(),
        Step::UpdateNode { id, value } => {
            q.update_node(&node_id(*id), &Value::Int(*value)).unwrap()
        }
        Step::RemoveNode { id } => q.remove_node(&node_id(*id)),
        Step::AddEdge {
            label,
            source,
            target,
            value,
        } => q
            .add_edge(
                &format!("e{label}"),
                &node_id(*source),
                &node_id(*target),
                Some(Value::Int(*value)),
            )
            .unwrap(),
        Step::RemoveEdge { pick } => q.remove_edge(EdgeId(model.edge_pick(*pick))),
        Step::Batch(_) | Step::Reopen => unreachable!("not generated inside batches"),
    }
}

fn run_on_graph<S: Storage>(graph: &Graph<S>, step: &Step, model: &Model) -> Result<(), ()> {
    let result = match step {
        Step::AddNode { id, label, value } => {
            block_on(graph.add_node(&format!("l{label}"), &node_id(*id), &Value::Int(*value)))
                .map(drop)
        }
        Step::UpdateNode { id, value } => {
            block_on(graph.update_node(&node_id(*id), &Value::Int(*value)))
        }
        Step::RemoveNode { id } => block_on(graph.remove_node(&node_id(*id))),
        Step::AddEdge {
            label,
            source,
            target,
            value,
        } => block_on(graph.add_edge(
            &format!("e{label}"),
            &node_id(*source),
            &node_id(*target),
            Some(Value::Int(*value)),
        ))
        .map(drop),
        Step::RemoveEdge { pick } => block_on(graph.remove_edge(EdgeId(model.edge_pick(*pick)))),
        Step::Batch(steps) => {
            // Edge picks inside a batch see the batch's earlier steps, as in the model.
            let mut sim = model.clone();
            let mut batch = graph.batch();
            for s in steps {
                queue(&mut batch, s, &sim);
                let _ = sim.apply(s);
            }
            block_on(batch.commit()).map(drop)
        }
        Step::Reopen => Ok(()),
    };
    result.map_err(drop)
}

fn observe<S: Storage>(graph: &Graph<S>) -> Model {
    let mut seen = Model::default();
    for node in block_on(graph.get_nodes(None, None)).unwrap() {
        seen.nodes
            .insert(node.id, (node.label, Value::clone(&node.properties)));
    }
    for edge in block_on(graph.get_edges(None, None, None)).unwrap() {
        seen.edges.insert(
            edge.id.0,
            (
                edge.label,
                edge.source,
                edge.target,
                Value::clone(&edge.properties),
            ),
        );
    }
    seen
}

fn check_agrees<S: Storage>(graph: &Graph<S>, model: &Model) -> Result<(), TestCaseError> {
    let seen = observe(graph);
    prop_assert_eq!(&seen.nodes, &model.nodes);
    prop_assert_eq!(&seen.edges, &model.edges);
    prop_assert_eq!(block_on(graph.count_nodes()).unwrap(), model.nodes.len());
    prop_assert_eq!(block_on(graph.count_edges()).unwrap(), model.edges.len());
    for id in model.nodes.keys() {
        let incoming = block_on(graph.get_edges_to(id, None)).unwrap().len();
        prop_assert_eq!(
            incoming,
            model.edges.values().filter(|e| &e.2 == id).count()
        );
        let outgoing = block_on(graph.get_node_edges(id, None)).unwrap().len();
        prop_assert_eq!(
            outgoing,
            model.edges.values().filter(|e| &e.1 == id).count()
        );
    }
    Ok(())
}

fn run_steps<S: Storage>(
    mut graph: Graph<S>,
    steps: &[Step],
    reopen: impl Fn(Graph<S>) -> Graph<S>,
) -> Result<(), TestCaseError> {
    let mut model = Model::default();
    for step in steps {
        if let Step::Reopen = step {
            graph = reopen(graph);
        } else {
            let expected = model.clone().apply(step);
            let actual = run_on_graph(&graph, step, &model);
            prop_assert_eq!(actual.is_ok(), expected.is_ok(), "step {:?}", step);
            model.apply(step).ok();
        }
        check_agrees(&graph, &model)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn memory_agrees_with_model(steps in prop::collection::vec(step(), 1..60)) {
        run_steps(Graph::new(MemoryStorage::new()), &steps, |g| g)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn sled_agrees_with_model_across_reopen(steps in prop::collection::vec(step(), 1..60), safe in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mode = if safe { "high_safety" } else { "high_throughput" };
        let open = |path: &std::path::Path| {
            Graph::open(SledStorage::builder().path(path).mode(mode).open().unwrap()).unwrap()
        };
        let graph = open(&path);
        run_steps(graph, &steps, |g| {
            drop(g);
            open(&path)
        })?;
    }
}
