//! Wires stdin and stdout to the tower-lsp-server service through [`FrameDecoder`]:
//!
//! ```text
//! stdin ─▶ reader thread ─▶ decoder thread ──valid──▶ duplex ─▶ tower-lsp Server ─▶ duplex ─┐
//!                                         └─malformed: error response ──────────────────────┴▶ writer ─▶ stdout
//! ```
//!
//! Reading happens on plain threads so a stalled client (a Content-Length that promises more
//! bytes than it sends) can be noticed with a timeout. The writer sends whole frames only, so
//! the server's responses and our error responses never interleave.

use std::io::Read;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LspService, Server};

use super::framing::{Decoded, FrameDecoder, encode};
use super::server::Backend;

/// How long input may pause mid-message before a wrong Content-Length is suspected.
const STALL: Duration = Duration::from_millis(300);
const PIPE_CAPACITY: usize = 1 << 16;

/// What the decoder thread hands to the async side.
enum Inbound {
    /// A valid message for the server.
    Message(Vec<u8>),
    /// An error response body for the client.
    Reply(Vec<u8>),
}

/// Serves LSP over stdin/stdout until `exit` or end of input. Returns whether `shutdown`
/// was requested first (the process exit code depends on it).
pub(crate) async fn serve_stdio(service: LspService<Backend>, socket: ClientSocket) -> bool {
    let shutdown_flag = service.inner().shutdown_flag();
    let (inbound_tx, inbound_rx) = mpsc::unbounded_channel();
    spawn_input_threads(std::io::stdin(), inbound_tx);

    let (to_server, server_in) = tokio::io::duplex(PIPE_CAPACITY);
    let (server_out, from_server) = tokio::io::duplex(PIPE_CAPACITY);
    let (reply_tx, reply_rx) = mpsc::unbounded_channel::<Vec<u8>>();

    let forward = tokio::spawn(forward_inbound(inbound_rx, to_server, reply_tx));
    let server = async move {
        Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
    };
    let writer = write_output(from_server, reply_rx, tokio::io::stdout());
    tokio::join!(server, writer);
    forward.abort();
    shutdown_flag.load(std::sync::atomic::Ordering::SeqCst)
}

/// Reads raw bytes on one thread and decodes frames on another, so the decoder can notice a
/// stall while the reader blocks.
fn spawn_input_threads(mut input: impl Read + Send + 'static, out: mpsc::UnboundedSender<Inbound>) {
    let (chunk_tx, chunk_rx) = std_mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if chunk_tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::error!("reading stdin failed: {e}");
                    break;
                }
            }
        }
    });
    std::thread::spawn(move || {
        let mut decoder = FrameDecoder::new();
        let send = |decoded: Decoded| -> bool {
            let msg = match decoded {
                Decoded::Message(body) => Inbound::Message(body),
                Decoded::Malformed(m) => {
                    tracing::warn!("malformed input: {}", m.message);
                    Inbound::Reply(m.response_body())
                }
            };
            out.send(msg).is_ok()
        };
        loop {
            match chunk_rx.recv_timeout(STALL) {
                Ok(chunk) => {
                    decoder.push(&chunk);
                    while let Some(decoded) = decoder.next() {
                        if !send(decoded) {
                            return;
                        }
                    }
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(decoded) = decoder.on_stall() {
                        if !send(decoded) {
                            return;
                        }
                        while let Some(decoded) = decoder.next() {
                            if !send(decoded) {
                                return;
                            }
                        }
                    }
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    if let Some(decoded) = decoder.finish() {
                        send(decoded);
                    }
                    // Dropping `out` tells the server the input has ended.
                    return;
                }
            }
        }
    });
}

/// Passes valid messages to the server (re-framed) and error replies to the writer.
async fn forward_inbound(
    mut inbound: mpsc::UnboundedReceiver<Inbound>,
    mut to_server: tokio::io::DuplexStream,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    while let Some(msg) = inbound.recv().await {
        match msg {
            Inbound::Message(body) => {
                if to_server.write_all(&encode(&body)).await.is_err() {
                    break;
                }
            }
            Inbound::Reply(body) => {
                let _ = replies.send(body);
            }
        }
    }
    // End of input: closing the pipe ends the server's read loop.
    let _ = to_server.shutdown().await;
}

/// Writes the server's frames and our error replies to `out`, one whole frame at a time.
async fn write_output(
    mut from_server: tokio::io::DuplexStream,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
    mut out: impl tokio::io::AsyncWrite + Unpin,
) {
    let mut decoder = FrameDecoder::trusted();
    let mut buf = vec![0u8; 64 * 1024];
    let mut replies_open = true;
    loop {
        tokio::select! {
            read = from_server.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                decoder.push(&buf[..n]);
                while let Some(Decoded::Message(body)) = decoder.next() {
                    if write_frame(&mut out, &body).await.is_err() {
                        return;
                    }
                }
            }
            reply = replies.recv(), if replies_open => match reply {
                Some(body) => {
                    if write_frame(&mut out, &body).await.is_err() {
                        return;
                    }
                }
                None => replies_open = false,
            },
        }
    }
    // The server is done; send any error replies still queued.
    while let Ok(body) = replies.try_recv() {
        let _ = write_frame(&mut out, &body).await;
    }
}

async fn write_frame(
    out: &mut (impl tokio::io::AsyncWrite + Unpin),
    body: &[u8],
) -> std::io::Result<()> {
    out.write_all(&encode(body)).await?;
    out.flush().await
}
