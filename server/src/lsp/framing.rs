//! LSP message framing (`Content-Length: N\r\n\r\n` + JSON), tolerant of broken clients.
//!
//! tower-lsp-server stops reading for good after the first frame it cannot decode, so its
//! input never comes straight from the client: [`FrameDecoder`] checks every frame first. A
//! frame with a bad header, a body that is not JSON, or JSON that is not a JSON-RPC message
//! becomes [`Decoded::Malformed`] (answered with a JSON-RPC error), and decoding resumes at the
//! next `Content-Length` header. Only valid messages reach the server.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Headers longer than this are garbage, not a header.
const MAX_HEADER_LEN: usize = 8 * 1024;
/// Bodies larger than this are refused (an LSP message is rarely over a few MiB).
pub(crate) const MAX_BODY_LEN: usize = 64 * 1024 * 1024;

const HEADER_END: &[u8] = b"\r\n\r\n";
const CONTENT_LENGTH: &[u8] = b"content-length";

/// What the decoder produced.
#[derive(Debug, PartialEq)]
pub(crate) enum Decoded {
    /// A valid JSON-RPC message body.
    Message(Vec<u8>),
    /// A frame that could not be used; answer with this error.
    Malformed(Malformed),
}

/// A JSON-RPC error to send back for a malformed frame.
#[derive(Debug, PartialEq)]
pub(crate) struct Malformed {
    /// -32700 (parse error) or -32600 (invalid request).
    pub code: i64,
    pub message: String,
    /// The request id, when the body was JSON that had one.
    pub id: Value,
}

impl Malformed {
    fn parse_error(message: impl Into<String>) -> Self {
        Malformed {
            code: -32700,
            message: message.into(),
            id: Value::Null,
        }
    }

    /// The error response as a JSON body.
    pub(crate) fn response_body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code, "message": self.message},
        }))
        .expect("plain JSON serialises")
    }
}

/// Wraps a body in a frame.
pub(crate) fn encode(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// Finds `needle` in `haystack` ignoring ASCII case.
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Incremental decoder: push bytes as they arrive, pull frames out.
#[derive(Debug, Default)]
pub(crate) struct FrameDecoder {
    buf: Vec<u8>,
    /// Check bodies (client input) or trust them (our own server's output).
    trusted: bool,
}

/// A parsed header block: where the body starts and how long it is.
enum Header {
    Complete { body_start: usize, len: usize },
    Incomplete,
    Invalid { skip: usize, message: String },
}

impl FrameDecoder {
    /// A decoder for frames from a client: every body is checked.
    pub(crate) fn new() -> Self {
        FrameDecoder::default()
    }

    /// A decoder for frames we produced ourselves: bodies are not checked.
    pub(crate) fn trusted() -> Self {
        FrameDecoder {
            buf: Vec::new(),
            trusted: true,
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame, or `None` when more bytes are needed.
    pub(crate) fn next(&mut self) -> Option<Decoded> {
        if let Some(garbage) = self.skip_garbage() {
            return Some(garbage);
        }
        if self.buf.is_empty() {
            return None;
        }
        match self.header() {
            Header::Incomplete => None,
            Header::Invalid { skip, message } => {
                self.buf.drain(..skip);
                Some(Decoded::Malformed(Malformed::parse_error(message)))
            }
            Header::Complete { body_start, len } => {
                if self.buf.len() < body_start + len {
                    return None;
                }
                let body: Vec<u8> = self.buf[body_start..body_start + len].to_vec();
                self.buf.drain(..body_start + len);
                Some(if self.trusted {
                    Decoded::Message(body)
                } else {
                    check_body(body)
                })
            }
        }
    }

    /// Called when no bytes have arrived for a while. If we are waiting for the rest of a
    /// body but another frame's header has already arrived inside it, the declared length
    /// was wrong (too long): report the frame and resume at that header instead of waiting
    /// forever for bytes the client will never send.
    pub(crate) fn on_stall(&mut self) -> Option<Decoded> {
        let Header::Complete { body_start, len } = self.header() else {
            return None;
        };
        if self.buf.len() >= body_start + len {
            return None;
        }
        let next = find_ignore_case(&self.buf[body_start..], CONTENT_LENGTH)?;
        self.buf.drain(..body_start + next);
        Some(Decoded::Malformed(Malformed::parse_error(
            "the message was shorter than its Content-Length header",
        )))
    }

    /// Bytes left over at end of input, as a malformed frame if they were not blank.
    pub(crate) fn finish(&mut self) -> Option<Decoded> {
        let leftover = std::mem::take(&mut self.buf);
        (!leftover.iter().all(u8::is_ascii_whitespace)).then(|| {
            Decoded::Malformed(Malformed::parse_error(
                "the input ended in the middle of a message",
            ))
        })
    }

    /// Drops bytes before the next header. Blank bytes between frames are dropped quietly
    /// (some clients send an extra line break); anything else is reported.
    fn skip_garbage(&mut self) -> Option<Decoded> {
        let starts_with_header = |buf: &[u8]| {
            let n = buf.len().min(CONTENT_LENGTH.len());
            buf[..n].eq_ignore_ascii_case(&CONTENT_LENGTH[..n])
                || buf[..n.min(12)].eq_ignore_ascii_case(&b"content-type"[..n.min(12)])
        };
        if self.buf.is_empty() || starts_with_header(&self.buf) {
            return None;
        }
        let next = find_ignore_case(&self.buf, CONTENT_LENGTH);
        let skip = match next {
            Some(at) => at,
            // Keep a possible partial "Content-Length" at the end.
            None => self.buf.len().saturating_sub(CONTENT_LENGTH.len()),
        };
        if skip == 0 {
            return None;
        }
        let blank = self.buf[..skip].iter().all(u8::is_ascii_whitespace);
        self.buf.drain(..skip);
        (!blank).then(|| {
            Decoded::Malformed(Malformed::parse_error(
                "bytes outside a message were skipped",
            ))
        })
    }

    fn header(&self) -> Header {
        let Some(end) = self.buf.windows(4).position(|w| w == HEADER_END) else {
            if self.buf.len() > MAX_HEADER_LEN {
                return Header::Invalid {
                    skip: self.buf.len().clamp(1, MAX_HEADER_LEN),
                    message: "a header longer than 8 KiB was skipped".to_owned(),
                };
            }
            return Header::Incomplete;
        };
        let block = &self.buf[..end];
        let skip = end + HEADER_END.len();
        let Ok(block) = std::str::from_utf8(block) else {
            return Header::Invalid {
                skip,
                message: "the header is not valid text".to_owned(),
            };
        };
        let mut len = None;
        for line in block.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                return Header::Invalid {
                    skip,
                    message: format!("malformed header line {line:?}"),
                };
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) if n <= MAX_BODY_LEN => len = Some(n),
                    Ok(n) => {
                        return Header::Invalid {
                            skip,
                            message: format!("a {n}-byte message is larger than the limit"),
                        };
                    }
                    Err(_) => {
                        return Header::Invalid {
                            skip,
                            message: format!("Content-Length {:?} is not a number", value.trim()),
                        };
                    }
                }
            }
        }
        match len {
            Some(len) => Header::Complete {
                body_start: skip,
                len,
            },
            None => Header::Invalid {
                skip,
                message: "the header has no Content-Length".to_owned(),
            },
        }
    }
}

/// Accepts a body only if tower-lsp-server will: JSON that is a JSON-RPC request,
/// notification or response.
fn check_body(body: Vec<u8>) -> Decoded {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Decoded::Malformed(Malformed::parse_error(format!(
                "the message is not valid JSON: {e}"
            )));
        }
    };
    let is_message = serde_json::from_value::<Response>(value.clone()).is_ok()
        || serde_json::from_value::<Request>(value.clone()).is_ok();
    if is_message {
        return Decoded::Message(body);
    }
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned()
        .unwrap_or(Value::Null);
    Decoded::Malformed(Malformed {
        code: -32600,
        message: "the message is not a JSON-RPC 2.0 request, notification or response".to_owned(),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    fn drain(decoder: &mut FrameDecoder) -> Vec<Decoded> {
        std::iter::from_fn(|| decoder.next()).collect()
    }

    fn message(body: &str) -> Decoded {
        Decoded::Message(body.as_bytes().to_vec())
    }

    fn is_error(d: &Decoded, code: i64) -> bool {
        matches!(d, Decoded::Malformed(m) if m.code == code)
    }

    #[test]
    fn decodes_frames_split_anywhere() {
        let stream = [encode(OK.as_bytes()), encode(OK.as_bytes())].concat();
        for split in 0..stream.len() {
            let mut d = FrameDecoder::new();
            d.push(&stream[..split]);
            let mut out = drain(&mut d);
            d.push(&stream[split..]);
            out.extend(drain(&mut d));
            assert_eq!(out, [message(OK), message(OK)], "split at {split}");
        }
    }

    #[test]
    fn resynchronises_after_garbage_and_bad_headers() {
        let mut d = FrameDecoder::new();
        d.push(b"garbage here\r\n");
        d.push(&encode(OK.as_bytes()));
        d.push(b"Content-Length: nope\r\n\r\n");
        d.push(&encode(OK.as_bytes()));
        d.push(b"X-Other: 1\r\n\r\n");
        d.push(&encode(OK.as_bytes()));
        let out = drain(&mut d);
        assert_eq!(out.len(), 6, "{out:?}");
        assert!(is_error(&out[0], -32700));
        assert_eq!(out[1], message(OK));
        assert!(is_error(&out[2], -32700));
        assert_eq!(out[3], message(OK));
        assert!(is_error(&out[4], -32700));
        assert_eq!(out[5], message(OK));
    }

    #[test]
    fn invalid_json_and_non_messages_are_answered() {
        let mut d = FrameDecoder::new();
        d.push(&encode(b"{not json"));
        d.push(&encode(br#"{"id": 7, "hello": "world"}"#));
        d.push(&encode(b"[1,2]"));
        d.push(&encode(OK.as_bytes()));
        let out = drain(&mut d);
        assert!(is_error(&out[0], -32700));
        assert!(matches!(&out[1], Decoded::Malformed(m) if m.code == -32600 && m.id == 7));
        assert!(is_error(&out[2], -32600));
        assert_eq!(out[3], message(OK));
    }

    #[test]
    fn too_short_and_too_long_content_length() {
        // Too short: the body is cut, the rest is garbage before the next header.
        let mut d = FrameDecoder::new();
        d.push(format!("Content-Length: 10\r\n\r\n{OK}").as_bytes());
        d.push(&encode(OK.as_bytes()));
        let out = drain(&mut d);
        assert!(is_error(&out[0], -32700));
        assert_eq!(out.last(), Some(&message(OK)));

        // Too long: the decoder waits, then a stall with a header in sight resynchronises.
        let mut d = FrameDecoder::new();
        d.push(format!("Content-Length: 500\r\n\r\n{OK}").as_bytes());
        d.push(&encode(OK.as_bytes()));
        assert_eq!(drain(&mut d), []);
        assert!(is_error(&d.on_stall().expect("stall resolves"), -32700));
        assert_eq!(drain(&mut d), [message(OK)]);
    }

    #[test]
    fn oversized_and_unterminated_input() {
        let mut d = FrameDecoder::new();
        d.push(format!("Content-Length: {}\r\n\r\n", MAX_BODY_LEN + 1).as_bytes());
        assert!(is_error(&d.next().unwrap(), -32700));
        d.push(&vec![b'x'; MAX_HEADER_LEN + 10]);
        assert!(d.next().is_some());
        let mut d = FrameDecoder::new();
        d.push(b"Content-Length: 5\r\n\r\n{");
        assert_eq!(d.next(), None);
        assert!(d.finish().is_some());
        let mut d = FrameDecoder::new();
        d.push(b"\r\n");
        assert_eq!(d.finish(), None);
    }
}
