//! The ceiling for bench/run: every request, whatever its method and path, has its body read and
//! gets the same small JSON document back. No routing, no parsing, no storage, no auth: what is
//! left is the cost of tokio + hyper + axum on this machine, which is what biginbox's figures
//! are divided by.
//!
//! Usage: bench-ceiling 127.0.0.1:PORT

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Router;

/// About the size of one Contact as biginbox renders it, so that the bytes on the wire are alike.
const BODY: &str = concat!(
    r#"{"data":[{"id":"1386950232841846784","First_Name":"Ada","Last_Name":"Bench","#,
    r#""Email":"ada@bench.test","Phone":"+1 555 0100","Mobile":null,"Title":"Engineer","#,
    r#""Description":null,"Owner":{"name":"Admin","id":"1386950232841846785","email":"admin@bench.test"},"#,
    r#""Created_Time":"2026-01-01T00:00:00+00:00","Modified_Time":"2026-01-01T00:00:00+00:00"}]}"#
);

async fn answer(_body: Bytes) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], BODY)
}

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    eprintln!("bench-ceiling listening on {addr}");
    let app = Router::new().fallback(answer);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await
        .expect("server failed");
}
