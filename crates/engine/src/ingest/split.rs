//! Finds the JSON records in a stream of bytes, whatever separates them.
//!
//! SES records arrive one per line (NDJSON, Firehose HTTP), concatenated
//! with nothing between them (Firehose's S3 objects), or pretty-printed
//! across many lines (a saved example). A streaming parser handles all
//! three; after a malformed record it skips to the next line and carries
//! on, so one bad line costs only itself, and reports where it was.
//!
//! The common case, a line holding one object, takes a fast path: a scan
//! for the brace that closes the line's first one (strings and escapes
//! skipped), without validating the JSON, which the record parser does
//! next anyway. Anything else (several records on a line, a record over
//! several lines, a cut one) goes through `serde_json`'s streaming parser.
//! The fast path took the splitting from about a fifth of an import's CPU
//! time to a few percent.

use serde_json::value::RawValue;

/// One record: its bytes and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub line: usize,
    pub bytes: &'a [u8],
}

/// Something that is not a JSON value, and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub reason: String,
}

/// Why gzip data could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum GunzipError {
    /// It unpacks to more than the limit (a few kilobytes of gzip can
    /// unpack to gigabytes, so the limit is on what comes out).
    #[error("the data unpacks to more than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Gunzips `data` when it starts with the gzip magic bytes, to at most
/// `limit` bytes: decoding stops one byte past the limit, so memory never
/// holds more than that whatever the data claims.
pub fn maybe_gunzip(data: &[u8], limit: usize) -> Result<std::borrow::Cow<'_, [u8]>, GunzipError> {
    use std::io::Read;
    if !data.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(data));
    }
    // Room for the limit and one byte is reserved at once (address space
    // only: pages count once written) and filled a chunk at a time, so the
    // buffer is never copied to grow and never holds more than one byte
    // past the limit; `read_to_end` would double a full buffer for that
    // byte. An absurd limit that cannot be reserved grows as it goes.
    const CHUNK: usize = 256 * 1024;
    let cap = limit.saturating_add(1);
    let mut out: Vec<u8> = Vec::new();
    let _ = out.try_reserve_exact(cap);
    let mut decoder = flate2::read::MultiGzDecoder::new(data);
    while out.len() < cap {
        let start = out.len();
        out.resize(start.saturating_add(CHUNK).min(cap), 0);
        let n = match decoder.read(&mut out[start..]) {
            Ok(0) => {
                out.truncate(start);
                return Ok(std::borrow::Cow::Owned(out));
            }
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(e) => return Err(e.into()),
        };
        out.truncate(start + n);
    }
    Err(GunzipError::TooLarge(limit))
}

/// Splits `data` into records and malformed stretches, in order.
pub fn split(data: &[u8]) -> Vec<Result<Piece<'_>, Malformed>> {
    split_partial(data, true).0
}

/// Like [`split`], for one chunk of a longer stream. Unless `last`, a record
/// cut off by the end of the chunk is not reported: splitting stops before
/// it, and the returned length says how many bytes were consumed, so the
/// caller carries the rest into the next chunk. Line numbers count from 1
/// at the start of `data`.
pub fn split_partial(data: &[u8], last: bool) -> (Vec<Result<Piece<'_>, Malformed>>, usize) {
    let mut out = Vec::new();
    let mut start = 0;
    // Lines before `counted`, so line numbers cost one pass over the data.
    let (mut counted, mut line) = (0, 1);
    let mut line_at = |pos: usize| {
        line += data[counted..pos].iter().filter(|&&b| b == b'\n').count();
        counted = pos;
        line
    };
    while start < data.len() {
        start += data[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if start == data.len() {
            break;
        }
        if let Some(end) = one_object_line(&data[start..]) {
            out.push(Ok(Piece {
                line: line_at(start),
                bytes: &data[start..start + end],
            }));
            start += end;
            continue;
        }
        // One value through the validating streaming parser.
        let mut stream =
            serde_json::Deserializer::from_slice(&data[start..]).into_iter::<&RawValue>();
        match stream.next() {
            None => break,
            Some(Ok(raw)) => {
                out.push(Ok(Piece {
                    line: line_at(start),
                    bytes: raw.get().as_bytes(),
                }));
                start += stream.byte_offset();
            }
            Some(Err(e)) if e.is_eof() && !last => return (out, start),
            Some(Err(e)) => {
                // Report and skip from where the failed record began: a
                // truncated line must not swallow the next one as its value.
                out.push(Err(Malformed {
                    line: line_at(start),
                    reason: e.to_string(),
                }));
                start = match memchr::memchr(b'\n', &data[start..]) {
                    Some(n) => start + n + 1,
                    None => data.len(),
                };
            }
        }
    }
    (out, data.len())
}

/// If `data` starts with an object that closes on its first line, with
/// nothing but whitespace after it on that line, the object's length.
/// Brackets are only counted, not matched: the record parser validates.
fn one_object_line(data: &[u8]) -> Option<usize> {
    if data.first() != Some(&b'{') {
        return None;
    }
    let line = &data[..memchr::memchr(b'\n', data)?];
    let (mut depth, mut i) = (0usize, 0);
    while i < line.len() {
        match line[i] {
            b'"' => {
                // Skip the string: to the next quote not escaped.
                i += 1;
                loop {
                    let at = i + memchr::memchr2(b'"', b'\\', line.get(i..)?)?;
                    if line[at] == b'"' {
                        i = at;
                        break;
                    }
                    i = at + 2;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let end = i + 1;
                    return line[end..]
                        .iter()
                        .all(u8::is_ascii_whitespace)
                        .then_some(end);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &str) -> Vec<Result<(usize, String), usize>> {
        split(data.as_bytes())
            .into_iter()
            .map(|p| match p {
                Ok(p) => Ok((p.line, String::from_utf8(p.bytes.to_vec()).unwrap())),
                Err(m) => Err(m.line),
            })
            .collect()
    }

    #[test]
    fn ndjson() {
        assert_eq!(
            lines("{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}\n"),
            [
                Ok((1, "{\"a\":1}".into())),
                Ok((2, "{\"b\":2}".into())),
                Ok((4, "{\"c\":3}".into()))
            ]
        );
    }

    #[test]
    fn concatenated_without_separators() {
        assert_eq!(
            lines("{\"a\":1}{\"b\":2}{\"c\":{\"d\":[1,2]}}"),
            [
                Ok((1, "{\"a\":1}".into())),
                Ok((1, "{\"b\":2}".into())),
                Ok((1, "{\"c\":{\"d\":[1,2]}}".into()))
            ]
        );
    }

    #[test]
    fn two_records_on_one_line_among_ndjson() {
        assert_eq!(
            lines("{\"a\":1}{\"b\":2}\n{\"c\":\"}{\\\"\"}\n"),
            [
                Ok((1, "{\"a\":1}".into())),
                Ok((1, "{\"b\":2}".into())),
                Ok((2, "{\"c\":\"}{\\\"\"}".into()))
            ]
        );
    }

    #[test]
    fn pretty_printed_records_span_lines() {
        let got = lines("{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap().0, 1);
        assert_eq!(got[1].as_ref().unwrap().0, 4);
    }

    #[test]
    fn a_bad_line_costs_only_itself() {
        let got = lines("{\"a\":1}\n{\"broken\": \n{\"c\":3}\nnot json\n{\"e\":5}");
        assert_eq!(
            got,
            [
                Ok((1, "{\"a\":1}".into())),
                Err(2),
                Ok((3, "{\"c\":3}".into())),
                Err(4),
                Ok((5, "{\"e\":5}".into()))
            ]
        );
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"a\":1}\n").unwrap();
        let packed = gz.finish().unwrap();
        assert_eq!(&*maybe_gunzip(&packed, 8).unwrap(), b"{\"a\":1}\n");
        assert_eq!(&*maybe_gunzip(b"plain", 1).unwrap(), b"plain");
        assert!(maybe_gunzip(&[0x1f, 0x8b, 0, 1, 2], 100).is_err());
        assert!(matches!(
            maybe_gunzip(&packed, 7),
            Err(GunzipError::TooLarge(7))
        ));
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..32 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        assert!(matches!(
            maybe_gunzip(&bomb, 1 << 20),
            Err(GunzipError::TooLarge(_))
        ));
        assert_eq!(maybe_gunzip(&bomb, 32 << 20).unwrap().len(), 32 << 20);
    }

    #[test]
    fn a_record_cut_by_the_chunk_end_is_left_for_the_next_chunk() {
        let data = b"{\"a\":1}\n{\"b\":";
        let (pieces, used) = split_partial(data, false);
        assert_eq!(pieces.len(), 1);
        assert_eq!(used, 8, "stops before the cut record");
        // The same bytes as the last chunk: the cut record is malformed.
        let (pieces, used) = split_partial(data, true);
        assert_eq!(pieces.len(), 2);
        assert!(pieces[1].is_err());
        assert_eq!(used, data.len());
    }

    proptest::proptest! {
        #[test]
        fn chunked_splitting_finds_what_whole_splitting_finds(
            values in proptest::collection::vec(0u32..100_000, 1..30),
            pretty in proptest::bool::ANY,
            chunk in 1usize..64,
        ) {
            let text: String = values
                .iter()
                .map(|v| if pretty { format!("{{\n  \"v\": {v}\n}}\n") } else { format!("{{\"v\":{v}}}") })
                .collect();
            let whole: Vec<(usize, Vec<u8>)> = split(text.as_bytes())
                .into_iter()
                .map(|p| p.map(|p| (p.line, p.bytes.to_vec())).unwrap())
                .collect();
            // Feed the bytes in chunks, carrying the rest, as import does.
            let (mut carried, mut found, mut line_base) = (Vec::new(), Vec::new(), 0);
            for piece in text.as_bytes().chunks(chunk) {
                carried.extend_from_slice(piece);
                let (pieces, used) = split_partial(&carried, false);
                for p in pieces {
                    let p = p.unwrap();
                    found.push((p.line + line_base, p.bytes.to_vec()));
                }
                line_base += carried[..used].iter().filter(|&&b| b == b'\n').count();
                carried.drain(..used);
            }
            for p in split_partial(&carried, true).0 {
                let p = p.unwrap();
                found.push((p.line + line_base, p.bytes.to_vec()));
            }
            proptest::prop_assert_eq!(found, whole);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_always_progresses(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let pieces = split(&data);
            proptest::prop_assert!(pieces.len() <= data.len() + 1);
        }

        #[test]
        fn lines_of_tricky_strings_split_exactly(
            texts in proptest::collection::vec("[a-z{}\\[\\]\"\\\\ \n]{0,12}", 1..12),
        ) {
            // Objects whose strings hold braces, quotes and backslashes,
            // one per line, as serde_json writes them.
            let records: Vec<String> = texts
                .iter()
                .map(|t| serde_json::json!({"s": t, "n": [t, {"k": t}]}).to_string())
                .collect();
            let data = records.join("\n") + "\n";
            let found: Vec<String> = split(data.as_bytes())
                .into_iter()
                .map(|p| String::from_utf8(p.unwrap().bytes.to_vec()).unwrap())
                .collect();
            proptest::prop_assert_eq!(found, records);
        }

        #[test]
        fn every_valid_line_is_found(values in proptest::collection::vec(0u32..1000, 0..20), bad in 0usize..20) {
            let mut text = String::new();
            for (i, v) in values.iter().enumerate() {
                if i == bad { text.push_str("{oops\n"); }
                text.push_str(&format!("{{\"v\":{v}}}\n"));
            }
            let found: Vec<_> = split(text.as_bytes()).into_iter().filter_map(Result::ok).collect();
            proptest::prop_assert_eq!(found.len(), values.len());
        }
    }
}
