//! Static files (the explorer) under `/`, never outside their directory.

use std::path::{Component, Path, PathBuf};

use super::api::percent_decode;
use super::Reply;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file under `root` that `url_path` names, or `None` when the path
/// tries to leave `root` (`..`, absolute parts, backslashes, NUL).
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path, false)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut relative = PathBuf::new();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    let mut path = root.join(relative);
    if path.is_dir() {
        path.push("index.html");
    }
    // Symlinks must not lead out either.
    let canonical = path.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    canonical.starts_with(&root).then_some(canonical)
}

pub fn serve(root: Option<&Path>, url_path: &str) -> Reply {
    let Some(root) = root else {
        return Reply::error(
            404,
            "no such endpoint (no static files are served: see --www)",
        );
    };
    match resolve(root, url_path) {
        Some(path) => match std::fs::read(&path) {
            Ok(body) => Reply {
                status: 200,
                content_type: content_type(&path),
                body,
            },
            Err(_) => Reply::error(404, "not found"),
        },
        None => Reply::error(404, "not found"),
    }
}
