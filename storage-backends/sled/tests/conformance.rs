//! The storage conformance suite on sled, in each durability mode.
#![cfg(not(target_arch = "wasm32"))]

use knowledge_graph_sled::SledStorage;

mod high_throughput {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::temp().unwrap());

    #[test]
    fn should_never_show_half_a_batch() {
        knowledge_graph_storage::conformance::should_never_show_half_a_batch(
            &SledStorage::temp().unwrap(),
        );
    }
}

mod high_safety {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::builder()
        .temporary(true)
        .mode("high_safety")
        .open()
        .unwrap());
}

mod low_space {
    use super::*;
    knowledge_graph_storage::conformance_tests!(#[test], || SledStorage::builder()
        .temporary(true)
        .mode("low_space")
        .compression(true)
        .open()
        .unwrap());
}
