//! Reading one file for `mailsight import`: gzip or not by its content,
//! in chunks, keeping what was read before a damaged stream breaks, and
//! telling a file of records from one that is not (a README, a CSV, an
//! image beside Firehose's objects).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use indicatif::ProgressBar;

/// Bytes read from a file at a time.
pub const CHUNK: usize = 8 * 1024 * 1024;

/// Counts the bytes read from a file on the progress bar.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// A file being read: its content, decompressed when it is gzip.
pub struct Source {
    reader: Box<dyn Read + Send>,
    /// Whether the file is gzip (for messages: offsets are then in the
    /// decompressed data).
    pub gzip: bool,
}

impl Source {
    /// Opens a file for reading, through a gzip decoder when it starts
    /// with gzip's magic bytes (whatever its name says).
    pub fn open(path: &Path, bar: ProgressBar) -> std::io::Result<Source> {
        let mut file = BufReader::new(Counting {
            inner: File::open(path)?,
            bar,
        });
        let gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(file))
        } else {
            Box::new(file)
        };
        Ok(Source { reader, gzip })
    }

    /// Appends up to [`CHUNK`] bytes to `buf` and says how many (0 at the
    /// end of the file). An error comes with the bytes read before it,
    /// which stay in `buf`: a truncated gzip object still holds every
    /// record decoded before the cut, and those must not be lost with it.
    pub fn read_chunk(&mut self, buf: &mut Vec<u8>) -> (usize, Option<std::io::Error>) {
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut filled = 0;
        let mut error = None;
        while filled < CHUNK {
            match self.reader.read(&mut buf[start + filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        buf.truncate(start + filled);
        (filled, error)
    }
}

/// Whether content can hold SES records, judged by its first byte that is
/// not whitespace: `None` while there is only whitespace so far, `Ok` for
/// JSON (`{` or `[`), and otherwise why the file is skipped, showing how
/// it starts. One line for the whole file beats a parser error per line.
pub fn records_or_not(content: &[u8], gzip: bool) -> Option<Result<(), String>> {
    let at = content.iter().position(|b| !b.is_ascii_whitespace())?;
    if matches!(content[at], b'{' | b'[') {
        return Some(Ok(()));
    }
    let head = &content[at..content.len().min(at + 16)];
    Some(Err(format!(
        "not SES records: {} neither JSON nor gzip (it starts with \"{}\")",
        if gzip {
            "decompressed, it is"
        } else {
            "the file is"
        },
        head.escape_ascii()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_records_and_anything_else_is_not() {
        assert_eq!(records_or_not(b"  \n{\"a\":1}", false), Some(Ok(())));
        assert_eq!(records_or_not(b"[{}]", true), Some(Ok(())));
        assert_eq!(records_or_not(b" \n\t", false), None);
        assert_eq!(records_or_not(b"", false), None);
        assert_eq!(
            records_or_not(b"# Archive\n\nThese are", false),
            Some(Err(
                "not SES records: the file is neither JSON nor gzip (it starts with \"# Archive\\n\\nThese\")"
                    .into()
            ))
        );
        let png = records_or_not(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", false)
            .unwrap()
            .unwrap_err();
        assert!(
            png.ends_with("(it starts with \"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR\")"),
            "{png}"
        );
        let csv = records_or_not(b"id,type\n1,Send\n", true)
            .unwrap()
            .unwrap_err();
        assert!(
            csv.contains("decompressed, it is neither JSON nor gzip"),
            "{csv}"
        );
    }

    #[test]
    fn a_truncated_gzip_keeps_what_was_decoded_before_the_cut() {
        use std::io::Write;
        let text: String = (0..2000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let whole = gz.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.gz");
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        let mut source = Source::open(&path, ProgressBar::hidden()).unwrap();
        assert!(source.gzip);
        let mut buf = Vec::new();
        let (read, error) = source.read_chunk(&mut buf);
        assert!(error.is_some(), "the cut is an error");
        assert_eq!(read, buf.len());
        assert!(
            read > text.len() / 4,
            "most of the first half is kept: {read}"
        );
        assert!(
            text.as_bytes().starts_with(&buf),
            "and it is what was written"
        );
    }
}
