#[path = "support/social.rs"]
mod social;
use knowledge_graph::{block_on, Graph, MemoryStorage};
fn main() {
    let graph = Graph::new(MemoryStorage::new());
    let mut rng = social::Rng(1);
    let t = std::time::Instant::now();
    for i in 0..300_000 {
        block_on(graph.add_node("user", &format!("u{i}"), &social::user(i, &mut rng))).unwrap();
    }
    eprintln!("nodes {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for i in 0..300_000 {
        let s = rng.below(300_000);
        block_on(graph.add_edge(
            "follows",
            &format!("u{i}"),
            &format!("u{s}"),
            Some(social::follows(&mut rng)),
        ))
        .unwrap();
    }
    eprintln!("edges {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for i in 0..1_000_000 {
        std::hint::black_box(block_on(graph.get_node(&format!("u{}", i % 1000))).unwrap());
    }
    eprintln!("lookups {:?}", t.elapsed());
}
