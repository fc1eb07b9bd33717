//! A graphql-transport-ws client for the live-update tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Subscription {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Subscription {
    /// Connects, authenticates with `token` in the `connection_init` payload, and subscribes.
    /// Returns the server's refusal message when the connection is not acknowledged.
    pub async fn start(
        address: std::net::SocketAddr,
        token: &str,
        query: &str,
        variables: Value,
    ) -> Result<Subscription, String> {
        let mut request = format!("ws://{address}/graphql/ws")
            .into_client_request()
            .map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().map_err(|_| "header")?,
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string())?;
        let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
        socket
            .send(Message::text(init.to_string()))
            .await
            .map_err(|e| e.to_string())?;
        let mut sub = Subscription { socket };
        match sub.next_message(Duration::from_secs(5)).await {
            Some(ack) if ack["type"] == "connection_ack" => {}
            other => return Err(format!("not acknowledged: {other:?}")),
        }
        let start = json!({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}});
        sub.socket
            .send(Message::text(start.to_string()))
            .await
            .map_err(|e| e.to_string())?;
        Ok(sub)
    }

    /// The next JSON message, or None on timeout or close.
    pub async fn next_message(&mut self, within: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(within, self.socket.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
                Message::Close(frame) => {
                    return Some(
                        json!({"type": "close", "reason": frame.map(|f| f.reason.to_string())}),
                    )
                }
                _ => continue,
            }
        }
    }

    /// The next `next` payload's data, skipping pings.
    pub async fn next_data(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = self.next_message(left).await?;
            match msg["type"].as_str() {
                Some("next") => return Some(msg["payload"]["data"].clone()),
                Some("ping") => {
                    let _ = self
                        .socket
                        .send(Message::text(json!({"type": "pong"}).to_string()))
                        .await;
                }
                Some("error") | Some("close") => return Some(msg),
                _ => {}
            }
        }
    }
}
