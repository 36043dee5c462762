//! Wires stdin and stdout to the tower-lsp-server service through [`FrameDecoder`]:
//!
//! ```text
//! stdin ─▶ reader+decoder thread ──valid──▶ duplex ─▶ tower-lsp Server ─▶ duplex ─┐
//!          (stall watchdog)      └─malformed: error response ─────────────────────┴▶ writer ─▶ stdout
//! ```
//!
//! Reading happens on plain threads so a stalled client (a Content-Length that promises more
//! bytes than it sends) can be noticed with a timeout. The writer sends whole frames only, so
//! the server's responses and our error responses never interleave.

use std::io::{IoSlice, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LspService, Server};

use super::framing::{Decoded, FrameDecoder, encode};
use super::publish::PulledItems;
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
pub(crate) async fn serve_stdio(
    service: LspService<Backend>,
    socket: ClientSocket,
    direct: DirectOutput,
    direct_frames: mpsc::UnboundedReceiver<Vec<u8>>,
) -> bool {
    let shutdown_flag = service.inner().shutdown_flag();
    let (inbound_tx, inbound_rx) = mpsc::unbounded_channel();
    spawn_input_threads(std::io::stdin(), inbound_tx);

    let (to_server, server_in) = tokio::io::duplex(PIPE_CAPACITY);
    let (server_out, from_server) = tokio::io::duplex(PIPE_CAPACITY);

    let pulled = direct.pulled().clone();
    let forward = tokio::spawn(forward_inbound(inbound_rx, to_server, direct));
    let server = async move {
        Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
    };
    widen_stdout_pipe();
    let writer = write_output(from_server, direct_frames, pulled, UnbufferedStdout);
    tokio::join!(server, writer);
    forward.abort();
    shutdown_flag.load(std::sync::atomic::Ordering::SeqCst)
}

/// Reads and decodes on one thread; a watchdog thread notices a stall (input paused in the
/// middle of a body whose Content-Length was too long) while the reader blocks. Decoding on
/// the reading thread saves a thread hand-off per message.
fn spawn_input_threads(mut input: impl Read + Send + 'static, out: mpsc::UnboundedSender<Inbound>) {
    struct Input {
        decoder: FrameDecoder,
        last_bytes: Instant,
        /// `None` once input has ended: dropping the sender tells the server.
        out: Option<mpsc::UnboundedSender<Inbound>>,
    }
    impl Input {
        /// Hands decoded frames to the server; false when the server is gone.
        fn send(&mut self, decoded: Decoded) -> bool {
            let msg = match decoded {
                Decoded::Message(body) => Inbound::Message(body),
                Decoded::Malformed(m) => {
                    tracing::warn!("malformed input: {}", m.message);
                    Inbound::Reply(m.response_body())
                }
            };
            self.out.as_ref().is_some_and(|out| out.send(msg).is_ok())
        }
        fn drain(&mut self) -> bool {
            while let Some(decoded) = self.decoder.next() {
                if !self.send(decoded) {
                    return false;
                }
            }
            true
        }
    }
    let state = Arc::new(Mutex::new(Input {
        decoder: FrameDecoder::new(),
        last_bytes: Instant::now(),
        out: Some(out),
    }));
    fn lock(state: &Mutex<Input>) -> std::sync::MutexGuard<'_, Input> {
        state.lock().unwrap_or_else(|e| e.into_inner())
    }

    let reader_state = state.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut input = lock(&reader_state);
                    input.decoder.push(&buf[..n]);
                    input.last_bytes = Instant::now();
                    if !input.drain() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::error!("reading stdin failed: {e}");
                    break;
                }
            }
        }
        let mut input = lock(&reader_state);
        if let Some(decoded) = input.decoder.finish() {
            input.send(decoded);
        }
        input.out = None;
    });

    std::thread::spawn(move || {
        loop {
            std::thread::sleep(STALL / 3);
            let mut input = lock(&state);
            if input.out.is_none() {
                return;
            }
            if input.last_bytes.elapsed() < STALL {
                continue;
            }
            if let Some(decoded) = input.decoder.on_stall()
                && !(input.send(decoded) && input.drain())
            {
                return;
            }
        }
    });
}

/// Whole message bodies for stdout that do not go through tower-lsp: error replies to
/// malformed input, and notifications the server serialises itself (diagnostics: tower-lsp
/// would turn them into a `serde_json::Value` first, which costs as much again as writing
/// them). The writer sends each as one frame, never inside another.
#[derive(Clone, Debug)]
pub(crate) struct DirectOutput(mpsc::UnboundedSender<Vec<u8>>, PulledItems);

impl DirectOutput {
    pub(crate) fn channel() -> (Self, mpsc::UnboundedReceiver<Vec<u8>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (DirectOutput(tx, PulledItems::default()), rx)
    }

    /// Where pulled reports leave their items for the writer.
    pub(crate) fn pulled(&self) -> &PulledItems {
        &self.1
    }

    /// Sends a notification; false when the output is closed or `params` cannot be
    /// serialised.
    pub(crate) fn notify<P: serde::Serialize>(&self, method: &str, params: &P) -> bool {
        #[derive(serde::Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        match serde_json::to_vec(&Notification {
            jsonrpc: "2.0",
            method,
            params,
        }) {
            Ok(body) => self.send(body),
            Err(e) => {
                tracing::error!("cannot serialise {method}: {e}");
                false
            }
        }
    }

    /// Sends a whole message body.
    pub(crate) fn send(&self, body: Vec<u8>) -> bool {
        self.0.send(body).is_ok()
    }
}

/// Passes valid messages to the server (re-framed) and error replies to the writer.
async fn forward_inbound(
    mut inbound: mpsc::UnboundedReceiver<Inbound>,
    mut to_server: tokio::io::DuplexStream,
    replies: DirectOutput,
) {
    while let Some(msg) = inbound.recv().await {
        match msg {
            Inbound::Message(body) => {
                if to_server.write_all(&encode(&body)).await.is_err() {
                    break;
                }
            }
            Inbound::Reply(body) => {
                replies.send(body);
            }
        }
    }
    // End of input: closing the pipe ends the server's read loop.
    let _ = to_server.shutdown().await;
}

/// Writes the server's frames and our error replies to `out`, one whole frame at a time.
/// The write is a plain blocking one on the server's thread: a frame fits the pipe's buffer,
/// and going through an async wrapper would hand every frame to another thread.
async fn write_output(
    mut from_server: tokio::io::DuplexStream,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
    pulled: PulledItems,
    mut out: impl Write,
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
                    let body = pulled.fill(&body).unwrap_or(body);
                    if write_frame(&mut out, &body).is_err() {
                        return;
                    }
                }
            }
            reply = replies.recv(), if replies_open => match reply {
                Some(body) => {
                    if write_frame(&mut out, &body).is_err() {
                        return;
                    }
                }
                None => replies_open = false,
            },
        }
    }
    // The server is done; send any error replies still queued.
    while let Ok(body) = replies.try_recv() {
        let _ = write_frame(&mut out, &body);
    }
}

/// Stdout without std's line buffering, which writes a frame in two parts (the header up to
/// its last line break, then the body), waking the client twice per message. Each frame is
/// written whole here, in as few system calls as the pipe allows.
struct UnbufferedStdout;

impl Write for UnbufferedStdout {
    #[cfg(target_os = "linux")]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::os::fd::AsFd;
        rustix::io::write(std::io::stdout().as_fd(), buf).map_err(std::io::Error::from)
    }

    #[cfg(not(target_os = "linux"))]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stdout().write(buf)
    }

    #[cfg(target_os = "linux")]
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        use std::os::fd::AsFd;
        rustix::io::writev(std::io::stdout().as_fd(), bufs).map_err(std::io::Error::from)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// When stdout is a pipe (as editors start servers), asks for room for a whole large
/// message: a `publishDiagnostics` for 2,000 lines can be 70 KB, and with Linux's default
/// 64 KiB the write waits for the client to read the first part. Best effort: a pipe that
/// cannot grow (or is no pipe) stays as it is.
fn widen_stdout_pipe() {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsFd;
        const WANTED: usize = 1 << 20;
        let stdout = std::io::stdout();
        if let Ok(size) = rustix::pipe::fcntl_getpipe_size(stdout.as_fd())
            && size < WANTED
        {
            // Unprivileged processes may go up to /proc/sys/fs/pipe-max-size (1 MiB by
            // default); try smaller sizes below that.
            for size in [WANTED, WANTED / 4] {
                if rustix::pipe::fcntl_setpipe_size(stdout.as_fd(), size).is_ok() {
                    tracing::debug!("stdout pipe widened to {size} bytes");
                    break;
                }
            }
        }
    }
}

/// Writes the header and the body without copying them into one buffer (a large
/// `publishDiagnostics` is hundreds of kilobytes): one vectored write when the output takes
/// it.
fn write_frame(out: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut parts = [IoSlice::new(header.as_bytes()), IoSlice::new(body)];
    let mut left = &mut parts[..];
    while !left.is_empty() {
        match out.write_vectored(left) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    out.flush()
}
