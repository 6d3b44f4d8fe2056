//! The dashboard's HTTP/1 server (hyper): the page, the JSON API, server-sent events and
//! launch's `/metrics`, on loopback only.
//!
//! Hostile by default: only `GET` and `HEAD`; no request body is read; the `Host` must be this
//! server's loopback address (no DNS rebinding) and an `Origin`, when sent, this page's; a
//! request a browser marks `Sec-Fetch-Site: cross-site` is refused; no CORS header is ever sent; at most [`MAX_CONNECTIONS`] connections and [`MAX_STREAMS`] event
//! streams; headers must arrive within [`HEADER_TIMEOUT`].

use super::metrics::LaunchMetrics;
use futures::StreamExt;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Empty, Full, StreamBody};
use hyper::{
	body::{Bytes, Frame},
	header, Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{convert::Infallible, sync::Arc, time::Duration};
use tokio::sync::{watch, Semaphore};

pub const MAX_CONNECTIONS: usize = 64;
pub const MAX_STREAMS: usize = 8;
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A comment line this often keeps an idle event stream open through proxies.
const PING: Duration = Duration::from_secs(15);

pub const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
	style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; \
	frame-ancestors 'none'";

const INDEX: &str = include_str!("page/index.html");
const APP: &str = include_str!("page/app.js");
const MAP: &str = include_str!("page/map.js");
const STYLE: &str = include_str!("page/style.css");

type Body = UnsyncBoxBody<Bytes, Infallible>;

pub struct Shared {
	pub port: u16,
	pub snapshot: watch::Receiver<Arc<str>>,
	pub metrics: LaunchMetrics,
	pub streams: Arc<Semaphore>,
}

/// Serves `listener` until `shutdown` changes.
pub async fn serve(
	listener: tokio::net::TcpListener,
	shared: Arc<Shared>,
	mut shutdown: watch::Receiver<bool>,
) {
	let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
	loop {
		tokio::select! {
			accepted = listener.accept() => {
				let Ok((stream, _)) = accepted else {
					// Out of file descriptors, say: wait rather than spin.
					tokio::time::sleep(Duration::from_millis(100)).await;
					continue;
				};
				// Beyond the limit a connection is closed at once.
				let Ok(permit) = connections.clone().try_acquire_owned() else { continue };
				let shared = shared.clone();
				tokio::spawn(async move {
					let service = hyper::service::service_fn(move |request| {
						let shared = shared.clone();
						async move { Ok::<_, Infallible>(respond(&shared, &request)) }
					});
					let _ = hyper::server::conn::http1::Builder::new()
						.timer(TokioTimer::new())
						.header_read_timeout(HEADER_TIMEOUT)
						.serve_connection(TokioIo::new(stream), service)
						.await;
					drop(permit);
				});
			},
			_ = shutdown.changed() => return,
		}
	}
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
	let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed_unsync());
	*response.status_mut() = status;
	response
		.headers_mut()
		.insert(header::CONTENT_TYPE, "text/plain; charset=utf-8".parse().unwrap());
	response
}

/// Whether `value` names this server: `127.0.0.1:PORT` or `localhost:PORT`, with `scheme`
/// before it when given (an `Origin`).
fn is_this_server(value: &str, scheme: &str, port: u16) -> bool {
	[format!("{scheme}127.0.0.1:{port}"), format!("{scheme}localhost:{port}")]
		.iter()
		.any(|allowed| allowed == value)
}

pub fn respond<B>(shared: &Shared, request: &Request<B>) -> Response<Body> {
	let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
	if !is_this_server(host, "", shared.port) {
		return secure(plain(StatusCode::FORBIDDEN, "forbidden: not this server's host\n"));
	}
	// A page of another site may embed a URL here without sending an Origin (an <img>, a
	// <script>); browsers say so in Sec-Fetch-Site.
	if request.headers().get("sec-fetch-site").is_some_and(|v| v == "cross-site") {
		return secure(plain(StatusCode::FORBIDDEN, "forbidden: a request from another site\n"));
	}
	if let Some(origin) = request.headers().get(header::ORIGIN) {
		if !is_this_server(origin.to_str().unwrap_or(""), "http://", shared.port) {
			return secure(plain(StatusCode::FORBIDDEN, "forbidden: another origin\n"));
		}
	}
	let head = request.method() == Method::HEAD;
	if request.method() != Method::GET && !head {
		let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
		response.headers_mut().insert(header::ALLOW, "GET, HEAD".parse().unwrap());
		return secure(response);
	}
	let (body, content_type): (Body, &str) = match request.uri().path() {
		"/" | "/index.html" => (text(INDEX), "text/html; charset=utf-8"),
		"/app.js" => (text(APP), "text/javascript; charset=utf-8"),
		"/map.js" => (text(MAP), "text/javascript; charset=utf-8"),
		"/style.css" => (text(STYLE), "text/css; charset=utf-8"),
		"/api/v1/snapshot" => {
			let snapshot = shared.snapshot.borrow().clone();
			(Full::new(Bytes::from(snapshot.to_string())).boxed_unsync(), "application/json")
		},
		"/metrics" => (
			Full::new(Bytes::from(shared.metrics.text())).boxed_unsync(),
			"text/plain; version=0.0.4",
		),
		"/api/v1/events" => match shared.streams.clone().try_acquire_owned() {
			Ok(permit) => (events(shared.snapshot.clone(), permit), "text/event-stream"),
			Err(_) => {
				return secure(plain(StatusCode::SERVICE_UNAVAILABLE, "too many event streams\n"))
			},
		},
		_ => return secure(plain(StatusCode::NOT_FOUND, "not found\n")),
	};
	let body = if head { Empty::new().boxed_unsync() } else { body };
	let mut response = Response::new(body);
	response.headers_mut().insert(header::CONTENT_TYPE, content_type.parse().unwrap());
	secure(response)
}

fn text(source: &'static str) -> Body {
	Full::new(Bytes::from_static(source.as_bytes())).boxed_unsync()
}

/// The headers every answer carries.
fn secure(mut response: Response<Body>) -> Response<Body> {
	let headers = response.headers_mut();
	headers.insert(header::CONTENT_SECURITY_POLICY, CSP.parse().unwrap());
	headers.insert(header::X_CONTENT_TYPE_OPTIONS, "nosniff".parse().unwrap());
	headers.insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
	headers.insert(header::X_FRAME_OPTIONS, "DENY".parse().unwrap());
	headers.insert(header::REFERRER_POLICY, "no-referrer".parse().unwrap());
	response
}

/// One `snapshot` event now and one each time the snapshot changes; a slow reader skips
/// snapshots rather than queueing them. The permit is held while the stream lives.
fn events(snapshot: watch::Receiver<Arc<str>>, permit: tokio::sync::OwnedSemaphorePermit) -> Body {
	let stream =
		futures::stream::unfold((snapshot, 0u64, permit), |(mut rx, id, permit)| async move {
			if id > 0 {
				match tokio::time::timeout(PING, rx.changed()).await {
					Ok(Ok(())) => {},
					Ok(Err(_)) => return None,
					Err(_) => {
						let ping = Frame::data(Bytes::from_static(b": ping\n\n"));
						return Some((Ok::<_, Infallible>(ping), (rx, id, permit)));
					},
				}
			}
			let json = rx.borrow_and_update().clone();
			let event = format!("id: {id}\nevent: snapshot\ndata: {json}\n\n");
			Some((Ok(Frame::data(Bytes::from(event))), (rx, id + 1, permit)))
		});
	BodyExt::boxed_unsync(StreamBody::new(stream.boxed()))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn shared(port: u16) -> Shared {
		let (_tx, rx) = watch::channel::<Arc<str>>("{\"api\":1}".into());
		Shared {
			port,
			snapshot: rx,
			metrics: LaunchMetrics::new().unwrap(),
			streams: Arc::new(Semaphore::new(MAX_STREAMS)),
		}
	}

	fn request(method: Method, path: &str, host: &str, origin: Option<&str>) -> Request<()> {
		let mut builder = Request::builder().method(method).uri(path).header(header::HOST, host);
		if let Some(origin) = origin {
			builder = builder.header(header::ORIGIN, origin);
		}
		builder.body(()).unwrap()
	}

	#[test]
	fn other_hosts_origins_and_methods_are_refused() {
		let s = shared(4000);
		let status = |m, path, host, origin| respond(&s, &request(m, path, host, origin)).status();
		assert_eq!(status(Method::GET, "/", "127.0.0.1:4000", None), StatusCode::OK);
		assert_eq!(status(Method::GET, "/", "localhost:4000", None), StatusCode::OK);
		// DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host.
		assert_eq!(status(Method::GET, "/", "evil.example:4000", None), StatusCode::FORBIDDEN);
		assert_eq!(status(Method::GET, "/", "127.0.0.1:4001", None), StatusCode::FORBIDDEN);
		let foreign = Some("http://evil.example");
		assert_eq!(
			status(Method::GET, "/api/v1/snapshot", "127.0.0.1:4000", foreign),
			StatusCode::FORBIDDEN
		);
		let embedded = Request::builder()
			.uri("/api/v1/events")
			.header(header::HOST, "127.0.0.1:4000")
			.header("sec-fetch-site", "cross-site")
			.body(())
			.unwrap();
		assert_eq!(respond(&s, &embedded).status(), StatusCode::FORBIDDEN);
		let own = Some("http://127.0.0.1:4000");
		assert_eq!(status(Method::GET, "/api/v1/snapshot", "127.0.0.1:4000", own), StatusCode::OK);
		assert_eq!(
			status(Method::POST, "/api/v1/snapshot", "127.0.0.1:4000", None),
			StatusCode::METHOD_NOT_ALLOWED
		);
		assert_eq!(status(Method::GET, "/x", "127.0.0.1:4000", None), StatusCode::NOT_FOUND);
		let page = respond(&s, &request(Method::GET, "/", "127.0.0.1:4000", None));
		assert_eq!(page.headers()[header::CONTENT_SECURITY_POLICY], CSP);
		assert!(page.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
		assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
	}

	#[test]
	fn event_streams_are_capped() {
		let s = shared(4000);
		let events =
			|| respond(&s, &request(Method::GET, "/api/v1/events", "127.0.0.1:4000", None));
		let open: Vec<_> = (0..MAX_STREAMS).map(|_| events()).collect();
		assert!(open.iter().all(|r| r.status() == StatusCode::OK));
		assert_eq!(events().status(), StatusCode::SERVICE_UNAVAILABLE);
		drop(open);
		assert_eq!(events().status(), StatusCode::OK, "a closed stream frees its place");
	}

	#[tokio::test]
	async fn an_event_stream_starts_with_the_snapshot() {
		let s = shared(4000);
		let response = respond(&s, &request(Method::GET, "/api/v1/events", "127.0.0.1:4000", None));
		assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
		let mut body = response.into_body();
		let frame = tokio::time::timeout(Duration::from_secs(2), body.frame())
			.await
			.unwrap()
			.unwrap()
			.unwrap();
		let data = frame.into_data().unwrap();
		assert_eq!(&data[..], b"id: 0\nevent: snapshot\ndata: {\"api\":1}\n\n");
	}
}
