//! The language server over stdio: the only module that knows LSP and JSON-RPC. Handlers
//! convert positions, call [`crate::ide`] and [`crate::analysis`], and convert back.

use std::path::PathBuf;

use clap::Args;
use tower_lsp_server::LspService;

mod capabilities;
mod convert;
mod documents;
mod features;
mod framing;
mod publish;
mod server;
mod settings;
mod transport;

pub use server::Backend;

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Speak LSP over stdin/stdout (the default and only transport; accepted because
    /// clients append it).
    #[arg(long)]
    pub stdio: bool,

    /// Write logs to this file instead of stderr. The filter comes from `DOCKWISE_LOG`
    /// (e.g. `debug`, `dockwise=trace`; default `info`).
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
}

/// Runs the server until `exit` or end of input. Exit code 0 after a `shutdown` request,
/// 1 otherwise (as the protocol asks).
pub fn run(args: &LspArgs) -> u8 {
    if let Err(e) = init_logging(args.log_file.as_deref()) {
        eprintln!("dockwise: error: cannot open the log file: {e}");
        return crate::cli::exit::TOOL_ERROR;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dockwise: error: cannot start the async runtime: {e}");
            return crate::cli::exit::TOOL_ERROR;
        }
    };
    let clean = runtime.block_on(async {
        // Frames written straight to stdout, beside tower-lsp's own output: error replies
        // for malformed input, and diagnostics (serialised once, without tower-lsp's detour
        // through `serde_json::Value`).
        let (direct, frames) = transport::DirectOutput::channel();
        let for_backend = direct.clone();
        let (service, socket) = LspService::build(move |client| {
            Backend::new(client).with_direct_output(for_backend.clone())
        })
        .custom_method("dockwise/syntaxTree", Backend::syntax_tree)
        .finish();
        transport::serve_stdio(service, socket, direct, frames).await
    });
    // The stdin reader thread may be blocked in `read`; do not wait for it.
    if clean { 0 } else { 1 }
}

fn init_logging(log_file: Option<&std::path::Path>) -> std::io::Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("DOCKWISE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(false);
    let result = match log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            builder.with_writer(std::sync::Mutex::new(file)).try_init()
        }
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // A second initialisation (tests) is harmless.
    let _ = result;
    Ok(())
}
