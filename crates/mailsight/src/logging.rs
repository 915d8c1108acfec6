//! Where `mailsight` writes its logs, and whether in colour.
//!
//! Logs go to stderr, through `tracing`, filtered by `MAILSIGHT_LOG`
//! (default `info`). Colour codes are for a person at a terminal: written
//! to a file, a pipe or a journal they are noise (`\x1b[2m…`) that breaks
//! `grep` and log shippers, so they are used only when stderr is a
//! terminal, and never when `NO_COLOR` is set to anything non-empty
//! (<https://no-color.org>).

use std::ffi::OsStr;
use std::io::IsTerminal;

/// Whether to colour logs written to a stream that is (or is not) a
/// terminal, given the value of `NO_COLOR`.
pub fn colour(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Installs the global subscriber: stderr, `MAILSIGHT_LOG`, colour only
/// for a terminal.
pub fn init() {
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAILSIGHT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(
            colour(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(
            !colour(true, Some(OsStr::new("false"))),
            "any value disables"
        );
        assert!(
            !colour(false, None),
            "a file or a pipe gets no colour codes"
        );
        assert!(!colour(false, Some(OsStr::new(""))));
    }
}
