//! The generated social graph the benchmarks share: users with name, age and
//! city; `follows` edges with weight and since, `EDGES_PER_USER` per user,
//! skewed towards low ids like real follower graphs. Deterministic.
#![allow(dead_code)]

use knowledge_graph::{block_on, Graph, Storage, Value};
use serde::Serialize;

/// Distinct cities: about 1,000 users per city at 100K users.
pub const CITIES: usize = 100;

#[derive(Serialize)]
pub struct User {
    pub name: String,
    pub age: u32,
    pub city: String,
}

#[derive(Serialize)]
pub struct Follows {
    pub weight: f64,
    pub since: i64,
}

/// xorshift64: small, fast and the same everywhere.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn city(i: usize) -> String {
    format!("city{i}")
}

pub fn user(i: usize, rng: &mut Rng) -> User {
    User {
        name: format!("user {i}"),
        age: 18 + rng.below(73) as u32,
        city: city(rng.below(CITIES)),
    }
}

pub fn follows(rng: &mut Rng) -> Value {
    let f = Follows {
        weight: (rng.below(1000) + 1) as f64 / 1000.0,
        since: 1_600_000_000 + rng.below(100_000_000) as i64,
    };
    knowledge_graph::to_value(&f).expect("plain struct")
}

/// A follow target for user `i`: half uniform, half skewed towards low ids.
pub fn target(i: usize, users: usize, rng: &mut Rng) -> usize {
    let t = if rng.below(2) == 0 {
        rng.below(users)
    } else {
        let bound = 1 + rng.below(users);
        rng.below(bound)
    };
    if t == i {
        (t + 1) % users
    } else {
        t
    }
}

/// Loads `users` users and `users * edges_per_user` follows edges in batches of 10,000.
pub fn import<S: Storage>(graph: &Graph<S>, users: usize, edges_per_user: usize) {
    let mut rng = Rng(42);
    let mut batch = graph.batch();
    for i in 0..users {
        batch
            .add_node("user", &i.to_string(), &user(i, &mut rng))
            .expect("plain struct");
        if batch.len() >= 10_000 {
            block_on(std::mem::replace(&mut batch, graph.batch()).commit()).expect("import");
        }
    }
    for i in 0..users {
        for _ in 0..edges_per_user {
            let t = target(i, users, &mut rng);
            batch
                .add_edge(
                    "follows",
                    &i.to_string(),
                    &t.to_string(),
                    Some(follows(&mut rng)),
                )
                .expect("queue");
        }
        if batch.len() >= 10_000 {
            block_on(std::mem::replace(&mut batch, graph.batch()).commit()).expect("import");
        }
    }
    block_on(batch.commit()).expect("import");
    block_on(graph.flush()).expect("flush");
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median rate of `ops` operations over `runs` runs of `f`; what `f`
/// returns (a graph it built, say) is dropped after the clock stops.
pub fn rate<T>(runs: usize, ops: usize, mut f: impl FnMut(usize) -> T) -> f64 {
    median(
        (0..runs)
            .map(|run| {
                let start = std::time::Instant::now();
                let made = f(run);
                let rate = ops as f64 / start.elapsed().as_secs_f64();
                drop(made);
                rate
            })
            .collect(),
    )
}

pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
