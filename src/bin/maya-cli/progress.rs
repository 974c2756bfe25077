//! Progress bars on stderr: hidden with `--quiet` or when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use knowledge_graph::interchange::Progress;

use crate::cli::Global;

/// A bar for `len` units (a spinner when unknown).
pub fn bar(global: &Global, len: Option<u64>, message: &'static str) -> ProgressBar {
    if global.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A callback for the interchange functions that drives `bar`.
pub fn reporter(bar: &ProgressBar) -> impl FnMut(Progress) + '_ {
    let bytes = style("{msg:>9} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})");
    let records = style("{msg:>9} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta})");
    let mut phase = 0u8;
    let mut started = std::time::Instant::now();
    let mut phase_log = move |name: &str| {
        log::info!(
            "{name} after {:.1} s (resident memory {})",
            started.elapsed().as_secs_f64(),
            resident_memory()
        );
        started = std::time::Instant::now();
    };
    move |p| match p {
        Progress::Reading { done, total } => {
            if phase != 1 {
                phase_log("reading starts");
                phase = 1;
                bar.set_style(bytes.clone());
                bar.set_message("reading");
            }
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        }
        Progress::Writing { done, total } | Progress::Exporting { done, total } => {
            let (n, message) = if matches!(p, Progress::Writing { .. }) {
                (2, "writing")
            } else {
                (3, "exporting")
            };
            if phase != n {
                phase_log(message);
                phase = n;
                bar.reset();
                bar.set_style(records.clone());
                bar.set_message(message);
            }
            bar.set_length(total);
            bar.set_position(done);
        }
        _ => {}
    }
}

/// This process's resident memory, for logs (Linux; "unknown" elsewhere).
pub fn resident_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
