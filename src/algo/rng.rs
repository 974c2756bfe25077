//! The seeded pseudo-random generator behind every randomised algorithm.
//!
//! [`SplitMix64`] (Steele, Lea & Flood 2014, the seeding generator of the
//! xoshiro family) is written out here rather than taken from a crate so the
//! exact sequence is part of this crate's contract: it uses only wrapping `u64`
//! arithmetic, so a seed produces the same numbers natively and in wasm32, and
//! algorithms that draw from it (e.g. [`louvain`](super::louvain)) give the same
//! results everywhere.
//!
//! ```
//! use knowledge_graph::algo::SplitMix64;
//! let mut rng = SplitMix64::new(42);
//! let a = rng.next_u64();
//! assert_eq!(SplitMix64::new(42).next_u64(), a);
//! assert!(rng.below(10) < 10);
//! ```

/// SplitMix64: a 64-bit state advanced by a Weyl increment and finalised by a mixer.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose sequence is fully determined by `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject method, unbiased).
    ///
    /// # Panics
    /// If `bound` is zero.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "bound must be positive");
        let mut product = u128::from(self.next_u64()) * u128::from(bound);
        // Truncation keeps the low 64 bits on purpose: they decide rejection.
        #[allow(clippy::cast_possible_truncation)]
        let mut low = product as u64;
        // The rejection threshold is below `bound`, so a draw at or above it
        // is kept without working the threshold out (a division).
        if low < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                product = u128::from(self.next_u64()) * u128::from(bound);
                #[allow(clippy::cast_possible_truncation)]
                {
                    low = product as u64;
                }
            }
        }
        (product >> 64) as u64
    }

    /// A uniform integer in `0..bound`, as [`below`](Self::below) does it but
    /// from the high 32 bits of one draw, multiplied in 64 bits: wasm32 has no
    /// 64 x 64 -> 128-bit multiply, and makes `below`'s a library call.
    ///
    /// # Panics
    /// If `bound` is zero.
    pub fn below_u32(&mut self, bound: u32) -> u32 {
        assert!(bound > 0, "bound must be positive");
        let draw = |rng: &mut Self| (rng.next_u64() >> 32) * u64::from(bound);
        let mut product = draw(self);
        // Truncation keeps the low 32 bits on purpose: they decide rejection.
        #[allow(clippy::cast_possible_truncation)]
        let low = |product: u64| product as u32;
        if low(product) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low(product) < threshold {
                product = draw(self);
            }
        }
        (product >> 32) as u32
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let mantissa = (self.next_u64() >> 11) as f64;
        mantissa * (1.0 / (1u64 << 53) as f64)
    }

    /// Shuffles `items` in place (Fisher–Yates, drawing with [`below`](Self::below)
    /// from the last position down).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            #[allow(clippy::cast_possible_truncation)]
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SplitMix64;

    /// Draws stay below their bound, from the smallest to the largest and
    /// those where half of the draws are rejected (2^31 + 1).
    #[test]
    fn draws_stay_below_their_bound() {
        let mut rng = SplitMix64::new(11);
        for bound in [1, 2, 3, 7, 1000, (1 << 31) + 1, u32::MAX] {
            for _ in 0..10_000 {
                assert!(rng.below_u32(bound) < bound, "{bound}");
                assert!(rng.below(u64::from(bound)) < u64::from(bound), "{bound}");
            }
        }
    }

    /// Every value of a small bound comes up about as often (60,000 draws
    /// of six values: 10,000 each, give or take five standard deviations).
    #[test]
    fn draws_are_uniform() {
        let mut rng = SplitMix64::new(12);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below_u32(6) as usize] += 1;
        }
        for count in counts {
            assert!((9_500..=10_500).contains(&count), "{counts:?}");
        }
    }
}
