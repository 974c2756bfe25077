//! `maya-cli serve`: `/metrics`, the JSON API and static files over HTTP.

mod api;
mod metrics;
mod web;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use knowledge_graph::{Graph, Keyspace, SledStorage, Storage};
use log::{info, warn};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::cli::{Global, ServeArgs};
use crate::db::{self, Access};
use crate::exit::CliError;

/// What the request handlers share.
pub struct State {
    pub graph: Graph<SledStorage>,
    pub www: Option<PathBuf>,
    /// Where `POST /api/backup` writes (`--backup-dir`); the endpoint is off without it.
    pub backup_dir: Option<PathBuf>,
    pub started: Instant,
    pub start_time_seconds: f64,
    /// Logical bytes of every stored record, from the last background scan
    /// (`u64::MAX` until the first one finishes).
    pub data_size_bytes: AtomicU64,
}

/// A response body and how to send it.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    pub fn error(status: u16, message: impl std::fmt::Display) -> Reply {
        Reply::json(status, &serde_json::json!({ "error": message.to_string() }))
    }
}

pub fn run(global: &Global, args: ServeArgs) -> Result<(), CliError> {
    let graph = db::open(global, Access::Existing)?;
    let www = match args.www {
        Some(dir) if dir.is_dir() => Some(dir),
        Some(dir) => {
            return Err(CliError::usage(format!(
                "--www {}: not a directory",
                dir.display()
            )))
        }
        None => Some(PathBuf::from("www/explorer/dist")).filter(|d| d.is_dir()),
    };
    let server = listen(args.listen)
        .map_err(|e| e.to_string())
        .and_then(|listener| Server::from_listener(listener, None).map_err(|e| e.to_string()))
        .map_err(|e| CliError::failure(format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| args.listen.to_string(), |a| a.to_string());
    let state = Arc::new(State {
        graph,
        www,
        backup_dir: args.backup_dir.clone(),
        started: Instant::now(),
        start_time_seconds: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        data_size_bytes: AtomicU64::new(u64::MAX),
    });
    // Scripts and tests read this line to learn the port.
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    info!(
        "serving /metrics and /api on {addr}; static files: {}",
        state
            .www
            .as_ref()
            .map_or("none".to_string(), |d| d.display().to_string())
    );
    {
        let state = Arc::clone(&state);
        let interval = Duration::from_secs(args.data_size_interval.max(1));
        std::thread::spawn(move || loop {
            match data_size(&state.graph) {
                Ok(bytes) => state.data_size_bytes.store(bytes, Ordering::Relaxed),
                Err(err) => warn!("data size scan failed: {err}"),
            }
            std::thread::sleep(interval);
        });
    }
    let server = Arc::new(server);
    let workers: Vec<_> = (0..args.threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(&state, request);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

/// A listening socket whose accepted connections have `TCP_NODELAY`
/// (inherited on Linux): tiny_http writes headers and body separately, and
/// with Nagle's algorithm a keep-alive client such as Prometheus would wait
/// ~40 ms for each response (a delayed ACK).
fn listen(addr: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

/// Sum of key and value bytes over every keyspace: O(records), so it runs in
/// the background, never per scrape.
fn data_size(graph: &Graph<SledStorage>) -> Result<u64, knowledge_graph::StorageError> {
    let mut total = 0u64;
    for keyspace in Keyspace::ALL {
        graph.storage().scan_prefix(keyspace, b"", &mut |k, v| {
            total += (k.len() + v.len()) as u64;
            std::ops::ControlFlow::Continue(())
        })?;
    }
    Ok(total)
}

fn handle(state: &State, request: Request) {
    let started = Instant::now();
    let url = request.url().to_string();
    let reply = if *request.method() == Method::Post {
        match url.split_once('?').unwrap_or((&url, "")) {
            ("/api/backup", query) => api::backup(state, query),
            _ => Reply::error(405, "only GET is supported here (POST: /api/backup)"),
        }
    } else if *request.method() != Method::Get && *request.method() != Method::Head {
        Reply::error(405, "only GET and POST /api/backup are supported")
    } else {
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        if path == "/metrics" {
            Reply {
                status: 200,
                content_type: "text/plain; version=0.0.4; charset=utf-8",
                body: metrics::render(state).into_bytes(),
            }
        } else if let Some(rest) = path.strip_prefix("/api/") {
            api::handle(state, rest, query)
        } else {
            web::serve(state.www.as_deref(), path)
        }
    };
    log::debug!(
        "{} {url} -> {} in {:.1} ms",
        request.method(),
        reply.status,
        started.elapsed().as_secs_f64() * 1e3
    );
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    // Our content types are fixed ASCII strings, which always make a header.
    if let Ok(header) = Header::from_bytes(&b"Content-Type"[..], reply.content_type.as_bytes()) {
        response = response.with_header(header);
    }
    if let Err(err) = request.respond(response) {
        log::debug!("client went away: {err}");
    }
}
