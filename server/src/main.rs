//! The `dockwise` binary: see [`dockwise::cli`].

// jemalloc: the language server builds and drops a whole analysis per keystroke, and glibc's
// malloc spent about a third of that time on its free lists (see Cargo.toml).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    dockwise::cli::run()
}
