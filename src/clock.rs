//! Wall-clock milliseconds since the Unix epoch, per platform.

cfg_if::cfg_if! {
    if #[cfg(all(feature = "std", not(target_arch = "wasm32")))] {
        /// Milliseconds since the Unix epoch.
        pub fn now_millis() -> i64 {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        }
    } else if #[cfg(target_arch = "wasm32")] {
        /// Milliseconds since the Unix epoch.
        pub fn now_millis() -> i64 {
            js_sys::Date::now() as i64
        }
    } else {
        /// Without `std` there is no clock: edges get timestamp 0 unless the
        /// graph is given one with [`GraphOptions::clock`](crate::GraphOptions::clock).
        pub fn now_millis() -> i64 {
            0
        }
    }
}
