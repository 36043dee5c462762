//! The `dockwise` binary: see [`dockwise::cli`].

fn main() -> std::process::ExitCode {
    dockwise::cli::run()
}
