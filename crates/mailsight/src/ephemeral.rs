//! The ephemeral mode's data directory.
//!
//! The SQLite backend needs a file for its write-ahead log and for readers
//! beside the writer, so "in memory" is a fresh directory on a memory file
//! system (`/dev/shm` on Linux), never synced. Where the system has none,
//! the directory is in the temporary directory: still never synced and
//! removed at exit, but the operating system may write its pages out.

use std::path::Path;

/// Where a memory file system is usually mounted.
const MEMORY_FS: &str = "/dev/shm";

/// Creates the directory; it is removed when the value is dropped.
pub fn directory() -> std::io::Result<tempfile::TempDir> {
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("mailsight-ephemeral-");
        b
    };
    let memory = Path::new(MEMORY_FS);
    if memory.is_dir()
        && let Ok(dir) = builder.tempdir_in(memory)
    {
        return Ok(dir);
    }
    builder.tempdir()
}
