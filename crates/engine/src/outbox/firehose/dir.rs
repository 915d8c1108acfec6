//! A delivery stream written to a local directory, laid out like the S3
//! objects Firehose writes: `<dir>/YYYY/MM/DD/HH/<stream>-<YYYY-MM-DD-HH-MM-SS>-<uuid>`
//! (UTC, the time the object was opened; `.gz` when compressed), each
//! object newline-delimited SES records.
//!
//! # Durability
//!
//! A record counts as delivered once it has been written **and fsynced** to
//! the stream's open temp file (`<dir>/.tmp/<arn hash>/<object name>`), not
//! once its object is in place. The alternative, acknowledging only after
//! the object is renamed into place, would hold every delivery for up to
//! `rotate_secs` and keep that many deliveries leased in the store; fsync
//! per record costs one disk flush per delivery instead, and the store's
//! own commit already costs as much.
//!
//! What makes this safe is that every temp file is finalized eventually:
//! when it rotates (by size, by age, or because the UTC hour changed), when
//! the deliverer stops, and, for whatever a crash left behind, on the first
//! use of the stream after a start ([`DirStream::tick`] runs it at once).
//! Finalizing cuts a temp file back to its last `\n` (a record torn by a
//! crash was never acknowledged, so it is retried and not lost), compresses
//! it when `gzip` is on, fsyncs it, renames it into its hour directory and
//! fsyncs the directories. Renaming is atomic on one filesystem, and the
//! temp files live under the same root for that reason, so a reader listing
//! the hour directories only ever sees complete objects, each ending in
//! `\n`. Finalizing is idempotent: a crash after a compressed copy was
//! renamed but before its temp file was removed only writes the same
//! object again under the same name.
//!
//! All file work for one stream happens under one mutex and is blocking
//! I/O; callers run it on a blocking thread.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Where temp files live, under the stream's directory. Hidden, so tools
/// walking the directory skip it.
pub const TMP_DIR: &str = ".tmp";
/// Suffix of a compressed copy being written; such a file is never the
/// only copy of its records and is deleted when found at start-up.
const PARTIAL: &str = ".partial";
/// How long after a failed finalization the leftovers are swept again.
const SWEEP_RETRY: Duration = Duration::from_secs(30);

/// The settings of one directory stream.
#[derive(Debug, Clone)]
pub struct DirSettings {
    /// The delivery stream ARN (it names the temp directory).
    pub arn: String,
    pub directory: PathBuf,
    pub gzip: bool,
    pub rotate_bytes: u64,
    pub rotate_secs: u64,
}

/// One delivery stream's writer.
pub struct DirStream {
    settings: DirSettings,
    /// The object name prefix: the stream name from the ARN.
    name: String,
    /// `<directory>/.tmp/<first 16 hex digits of SHA-256(arn)>`: one per
    /// ARN, so streams sharing a directory never sweep each other's files.
    tmp: PathBuf,
    state: Mutex<State>,
}

struct State {
    open: Option<OpenObject>,
    /// When to look for temp files to finalize (start-up leftovers, or
    /// files whose finalization failed); `None`: nothing to look for.
    sweep_at: Option<SystemTime>,
}

/// The object being filled.
struct OpenObject {
    file: File,
    temp: PathBuf,
    /// The object's name, without `.gz`.
    name: String,
    opened: OffsetDateTime,
    /// Bytes written and fsynced.
    len: u64,
}

impl DirStream {
    /// A writer for `settings` (no I/O happens until the first use).
    pub fn new(settings: DirSettings) -> Self {
        let name = stream_name(&settings.arn);
        let hash = hex::encode(Sha256::digest(settings.arn.as_bytes()));
        let tmp = settings.directory.join(TMP_DIR).join(&hash[..16]);
        DirStream {
            settings,
            name,
            tmp,
            state: Mutex::new(State {
                open: None,
                sweep_at: Some(SystemTime::UNIX_EPOCH),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing here panics while holding the lock, and the state stays
        // consistent between statements, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one record line (which must end with its only `\n`) and
    /// returns once it is fsynced: the delivery may then be acknowledged.
    pub fn append(&self, line: &[u8], now: SystemTime) -> io::Result<()> {
        if line.last() != Some(&b'\n') || line[..line.len() - 1].contains(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a record line must end with its only newline",
            ));
        }
        let mut st = self.lock();
        self.maintain(&mut st, now);
        let len = line.len() as u64;
        if st
            .open
            .as_ref()
            .is_some_and(|o| o.len > 0 && o.len + len > self.settings.rotate_bytes)
        {
            self.rotate(&mut st, now);
        }
        if st.open.is_none() {
            st.open = Some(self.open_object(now)?);
        }
        let Some(open) = st.open.as_mut() else {
            return Err(io::Error::other("no open object"));
        };
        let written = open
            .file
            .write_all(line)
            .and_then(|()| open.file.sync_data());
        if let Err(e) = written {
            // Cut off whatever part of the line got written, so the next
            // record starts on a line of its own. If even that fails, close
            // the object: finalizing drops the torn tail.
            let cut = open
                .file
                .set_len(open.len)
                .and_then(|()| open.file.seek(SeekFrom::Start(open.len)).map(drop));
            if cut.is_err() {
                self.rotate(&mut st, now);
            }
            return Err(e);
        }
        open.len += len;
        if open.len >= self.settings.rotate_bytes {
            self.rotate(&mut st, now);
        }
        Ok(())
    }

    /// Finalizes the open object if it is due (age or hour change) and any
    /// leftover temp files; called periodically.
    pub fn tick(&self, now: SystemTime) {
        let mut st = self.lock();
        self.maintain(&mut st, now);
    }

    /// Finalizes the open object (on shutdown).
    pub fn close(&self) {
        let mut st = self.lock();
        self.rotate(&mut st, SystemTime::now());
    }

    fn maintain(&self, st: &mut State, now: SystemTime) {
        if st.sweep_at.is_some_and(|t| now >= t) {
            st.sweep_at = None;
            let current = st.open.as_ref().map(|o| o.temp.clone());
            if !self.sweep(current.as_deref()) {
                st.sweep_at = Some(now + SWEEP_RETRY);
            }
        }
        let now_utc = OffsetDateTime::from(now);
        if st.open.as_ref().is_some_and(|o| {
            hour_of(o.opened) != hour_of(now_utc)
                || now_utc - o.opened >= Duration::from_secs(self.settings.rotate_secs)
        }) {
            self.rotate(st, now);
        }
    }

    /// Closes and finalizes the open object, if any. A failure leaves the
    /// temp file for a later sweep; its records are safe in it.
    fn rotate(&self, st: &mut State, now: SystemTime) {
        let Some(open) = st.open.take() else { return };
        let OpenObject {
            file, temp, name, ..
        } = open;
        drop(file);
        if let Err(e) = self.finalize(&temp, &name) {
            tracing::warn!(file = %temp.display(), error = %e, "cannot finalize a firehose object; will retry");
            st.sweep_at = Some(now + SWEEP_RETRY);
        }
    }

    fn open_object(&self, now: SystemTime) -> io::Result<OpenObject> {
        fs::create_dir_all(&self.tmp)?;
        let opened = OffsetDateTime::from(now);
        let stamp = opened
            .format(format_description!(
                "[year]-[month]-[day]-[hour]-[minute]-[second]"
            ))
            .map_err(io::Error::other)?;
        let name = format!("{}-{stamp}-{}", self.name, uuid::Uuid::new_v4());
        let temp = self.tmp.join(&name);
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&temp)?;
        // The new directory entry must survive a crash too, or an
        // acknowledged record could vanish with it.
        sync_dir(&self.tmp)?;
        Ok(OpenObject {
            file,
            temp,
            name,
            opened,
            len: 0,
        })
    }

    /// Finalizes every temp file of this stream except `skip` (the open
    /// one); true when all went well.
    fn sweep(&self, skip: Option<&Path>) -> bool {
        let entries = match fs::read_dir(&self.tmp) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return true,
            Err(e) => {
                tracing::warn!(dir = %self.tmp.display(), error = %e, "cannot list firehose temp files");
                return false;
            }
        };
        let mut ok = true;
        for entry in entries.flatten() {
            let path = entry.path();
            if Some(path.as_path()) == skip {
                continue;
            }
            let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let result = if file_name.ends_with(PARTIAL) {
                fs::remove_file(&path)
            } else if parse_stamp(file_name).is_some() {
                self.finalize(&path, file_name)
            } else {
                tracing::warn!(file = %path.display(), "ignoring an unknown file among firehose temp files");
                continue;
            };
            if let Err(e) = result {
                tracing::warn!(file = %path.display(), error = %e, "cannot finalize a firehose object");
                ok = false;
            }
        }
        ok
    }

    /// Moves a temp file's complete records into place as object `name`.
    fn finalize(&self, temp: &Path, name: &str) -> io::Result<()> {
        let opened = parse_stamp(name).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "not a firehose object name")
        })?;
        let mut file = OpenOptions::new().read(true).write(true).open(temp)?;
        if truncate_to_last_newline(&mut file)? == 0 {
            drop(file);
            fs::remove_file(temp)?;
            return sync_dir(&self.tmp);
        }
        let hour = opened
            .format(format_description!("[year]/[month]/[day]/[hour]"))
            .map_err(io::Error::other)?;
        let dir = self.settings.directory.join(hour);
        fs::create_dir_all(&dir)?;
        if self.settings.gzip {
            let partial = self.tmp.join(format!("{name}.gz{PARTIAL}"));
            let out = File::create(&partial)?;
            let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            file.seek(SeekFrom::Start(0))?;
            io::copy(&mut file, &mut gz)?;
            let out = gz.finish()?;
            out.sync_all()?;
            drop(out);
            fs::rename(&partial, dir.join(format!("{name}.gz")))?;
            self.sync_object_dirs(&dir)?;
            drop(file);
            fs::remove_file(temp)?;
        } else {
            file.sync_all()?;
            drop(file);
            fs::rename(temp, dir.join(name))?;
            self.sync_object_dirs(&dir)?;
        }
        sync_dir(&self.tmp)
    }

    /// Fsyncs an hour directory and its parents up to the stream's root,
    /// so a new object and any directories made for it survive a crash.
    fn sync_object_dirs(&self, hour_dir: &Path) -> io::Result<()> {
        let mut dir = Some(hour_dir);
        while let Some(d) = dir {
            sync_dir(d)?;
            if d == self.settings.directory {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }
}

/// The object name prefix for a stream: the name after
/// `deliverystream/` in its ARN, reduced to the characters Firehose allows
/// in stream names so it can never step outside the directory.
pub fn stream_name(arn: &str) -> String {
    let raw = arn
        .rsplit_once("deliverystream/")
        .map(|(_, n)| n)
        .unwrap_or_else(|| arn.rsplit([':', '/']).next().unwrap_or_default());
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "stream".into()
    } else {
        clean
    }
}

/// The time in an object name `<stream>-<YYYY-MM-DD-HH-MM-SS>-<uuid>`.
fn parse_stamp(name: &str) -> Option<OffsetDateTime> {
    // The uuid is 36 characters and the time 19, each after a '-'.
    let without_uuid = name.get(..name.len().checked_sub(37)?)?;
    uuid::Uuid::parse_str(name.get(name.len() - 36..)?).ok()?;
    let stamp = without_uuid.get(without_uuid.len().checked_sub(19)?..)?;
    if !without_uuid[..without_uuid.len() - 19].ends_with('-') {
        return None;
    }
    PrimitiveDateTime::parse(
        stamp,
        format_description!("[year]-[month]-[day]-[hour]-[minute]-[second]"),
    )
    .ok()
    .map(PrimitiveDateTime::assume_utc)
}

fn hour_of(t: OffsetDateTime) -> (i32, u8, u8, u8) {
    (t.year(), t.month() as u8, t.day(), t.hour())
}

/// Cuts `file` just after its last `\n` (to nothing when it has none) and
/// returns the new length.
fn truncate_to_last_newline(file: &mut File) -> io::Result<u64> {
    const CHUNK: u64 = 64 * 1024;
    let mut end = file.metadata()?.len();
    let mut buf = vec![0u8; CHUNK as usize];
    let keep = loop {
        if end == 0 {
            break 0;
        }
        let start = end.saturating_sub(CHUNK);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            break start + i as u64 + 1;
        }
        end = start;
    };
    if keep != file.metadata()?.len() {
        file.set_len(keep)?;
    }
    Ok(keep)
}

/// Fsyncs a directory, making the entries made in it durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened as files here; renames are as
        // durable as the filesystem makes them.
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    const ARN: &str = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events";

    fn settings(dir: &Path) -> DirSettings {
        DirSettings {
            arn: ARN.into(),
            directory: dir.to_owned(),
            gzip: false,
            rotate_bytes: 1 << 20,
            rotate_secs: 300,
        }
    }

    /// 2024-05-01T10:00:00Z plus `secs`.
    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600 + secs)
    }

    fn record(i: usize) -> Vec<u8> {
        format!("{{\"eventType\":\"Send\",\"n\":{i}}}\n").into_bytes()
    }

    /// Every object in place (not under `.tmp`), relative, sorted.
    fn objects(root: &Path) -> Vec<PathBuf> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
            for e in fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.file_name().unwrap() == TMP_DIR {
                    continue;
                }
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    out.push(p.strip_prefix(root).unwrap().to_owned());
                }
            }
        }
        let mut out = Vec::new();
        if root.exists() {
            walk(root, root, &mut out);
        }
        out.sort();
        out
    }

    /// An object's lines, checking that it is complete: it ends with `\n`
    /// and every line is a JSON object.
    fn lines(path: &Path) -> Vec<serde_json::Value> {
        let raw = fs::read(path).unwrap();
        let text = if path.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        } else {
            raw
        };
        assert!(
            text.ends_with(b"\n"),
            "{} is not newline-terminated",
            path.display()
        );
        text.as_slice()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap())
            .collect()
    }

    fn numbers(root: &Path) -> Vec<u64> {
        let mut out: Vec<u64> = objects(root)
            .iter()
            .flat_map(|p| lines(&root.join(p)))
            .map(|v| v["n"].as_u64().unwrap())
            .collect();
        out.sort();
        out
    }

    fn temp_files(root: &Path) -> Vec<PathBuf> {
        let tmp = root.join(TMP_DIR);
        if !tmp.exists() {
            return vec![];
        }
        fs::read_dir(&tmp)
            .unwrap()
            .flat_map(|d| fs::read_dir(d.unwrap().path()).unwrap())
            .map(|e| e.unwrap().path())
            .collect()
    }

    #[test]
    fn objects_land_in_their_utc_hour_with_firehose_names() {
        let dir = tempfile::tempdir().unwrap();
        let s = DirStream::new(settings(dir.path()));
        s.append(&record(1), at(3_590)).unwrap();
        s.append(&record(2), at(3_595)).unwrap();
        assert!(
            objects(dir.path()).is_empty(),
            "nothing in place while open"
        );
        // The UTC hour changes 15 s later (well before rotate_secs): the
        // first object is finalized in 10/, the new record starts one in 11/.
        s.append(&record(3), at(3_605)).unwrap();
        s.close();
        let got = objects(dir.path());
        assert_eq!(got.len(), 2, "{got:?}");
        let first = got[0].to_str().unwrap();
        assert!(
            first.starts_with("2024/05/01/10/ses-events-2024-05-01-10-59-50-"),
            "{first}"
        );
        assert_eq!(
            first.len(),
            "2024/05/01/10/ses-events-2024-05-01-10-59-50-".len() + 36
        );
        assert!(got[1].starts_with("2024/05/01/11"), "{got:?}");
        assert_eq!(
            lines(&dir.path().join(&got[0]))
                .iter()
                .map(|v| v["n"].as_u64().unwrap())
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(numbers(dir.path()), [1, 2, 3]);
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn rotates_by_size_without_splitting_records() {
        let dir = tempfile::tempdir().unwrap();
        let size = record(1).len() as u64;
        let s = DirStream::new(DirSettings {
            rotate_bytes: 2 * size + 1,
            ..settings(dir.path())
        });
        for i in 0..5 {
            s.append(&record(i), at(i as u64)).unwrap();
            // No object in place is ever incomplete.
            for p in objects(dir.path()) {
                lines(&dir.path().join(p));
            }
        }
        assert_eq!(objects(dir.path()).len(), 2, "two full objects so far");
        s.close();
        let got = objects(dir.path());
        let sizes: Vec<usize> = got
            .iter()
            .map(|p| lines(&dir.path().join(p)).len())
            .collect();
        let mut sorted = sizes.clone();
        sorted.sort();
        assert_eq!(sorted, [1, 2, 2], "{got:?}");
        assert_eq!(numbers(dir.path()), [0, 1, 2, 3, 4]);
        // A record larger than rotate_bytes still gets an object of its own.
        let big = format!("{{\"n\":9,\"pad\":\"{}\"}}\n", "x".repeat(100)).into_bytes();
        s.append(&big, at(10)).unwrap();
        assert_eq!(objects(dir.path()).len(), 4);
    }

    #[test]
    fn rotates_by_age_on_tick() {
        let dir = tempfile::tempdir().unwrap();
        let s = DirStream::new(DirSettings {
            rotate_secs: 60,
            ..settings(dir.path())
        });
        s.append(&record(1), at(0)).unwrap();
        s.tick(at(59));
        assert!(objects(dir.path()).is_empty(), "not yet due");
        s.tick(at(60));
        assert_eq!(objects(dir.path()).len(), 1, "due after rotate_secs");
        assert_eq!(numbers(dir.path()), [1]);
        s.append(&record(2), at(61)).unwrap();
        // An append after the age also rotates first.
        s.append(&record(3), at(200)).unwrap();
        assert_eq!(objects(dir.path()).len(), 2);
        s.close();
        assert_eq!(numbers(dir.path()), [1, 2, 3]);
        s.tick(at(1_000));
        assert_eq!(objects(dir.path()).len(), 3, "nothing open, nothing new");
    }

    #[test]
    fn gzip_objects_decompress_to_the_same_lines() {
        let dir = tempfile::tempdir().unwrap();
        let s = DirStream::new(DirSettings {
            gzip: true,
            ..settings(dir.path())
        });
        for i in 0..20 {
            s.append(&record(i), at(i as u64)).unwrap();
        }
        s.close();
        let got = objects(dir.path());
        assert_eq!(got.len(), 1);
        let path = dir.path().join(&got[0]);
        assert!(path.to_str().unwrap().ends_with(".gz"), "{got:?}");
        let raw = fs::read(&path).unwrap();
        assert_eq!(&raw[..2], [0x1f, 0x8b], "gzip magic");
        let expected: Vec<u8> = (0..20).flat_map(record).collect();
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, expected);
        assert!(temp_files(dir.path()).is_empty(), "no partial copy left");
    }

    #[test]
    fn leftover_temp_files_are_finalized_on_the_next_start() {
        for gzip in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let cfg = DirSettings {
                gzip,
                ..settings(dir.path())
            };
            let before = DirStream::new(cfg.clone());
            before.append(&record(1), at(0)).unwrap();
            before.append(&record(2), at(1)).unwrap();
            // A crash: the writer is gone without closing, mid-way through
            // a third record and a compressed copy.
            std::mem::forget(before);
            let temps = temp_files(dir.path());
            assert_eq!(temps.len(), 1);
            OpenOptions::new()
                .append(true)
                .open(&temps[0])
                .unwrap()
                .write_all(b"{\"eventType\":\"Se")
                .unwrap();
            let stray = temps[0].with_file_name(format!(
                "{}.gz{PARTIAL}",
                temps[0].file_name().unwrap().to_str().unwrap()
            ));
            fs::write(&stray, b"\x1f\x8b garbage").unwrap();
            assert!(objects(dir.path()).is_empty());

            let after = DirStream::new(cfg);
            after.tick(at(2));
            let got = objects(dir.path());
            assert_eq!(got.len(), 1, "{got:?}");
            assert!(got[0].starts_with("2024/05/01/10"));
            assert_eq!(got[0].extension().is_some_and(|e| e == "gz"), gzip);
            assert_eq!(numbers(dir.path()), [1, 2], "the torn record is dropped");
            assert!(
                temp_files(dir.path()).is_empty(),
                "{:?}",
                temp_files(dir.path())
            );
        }
    }

    #[test]
    fn a_reader_never_sees_a_partial_object() {
        for gzip in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let s = std::sync::Arc::new(DirStream::new(DirSettings {
                gzip,
                rotate_bytes: 10 * record(1).len() as u64,
                ..settings(dir.path())
            }));
            let writer = {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..400 {
                        s.append(&record(i), at(i as u64 / 4)).unwrap();
                    }
                    s.close();
                })
            };
            // Read every object in place while the writer fills and
            // rotates them; `lines` fails on an incomplete one.
            let mut looks = 0;
            while !writer.is_finished() {
                for p in objects(dir.path()) {
                    // An object can only appear, never change or vanish.
                    lines(&dir.path().join(p));
                    looks += 1;
                }
            }
            writer.join().unwrap();
            assert_eq!(numbers(dir.path()), (0..400).collect::<Vec<u64>>());
            assert!(looks > 0 || objects(dir.path()).len() == 40);
        }
    }

    #[test]
    fn streams_sharing_a_directory_keep_apart() {
        let dir = tempfile::tempdir().unwrap();
        let a = DirStream::new(settings(dir.path()));
        let b = DirStream::new(DirSettings {
            arn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/other".into(),
            ..settings(dir.path())
        });
        a.append(&record(1), at(0)).unwrap();
        // b's start-up sweep must not take a's open file.
        b.append(&record(2), at(1)).unwrap();
        a.append(&record(3), at(2)).unwrap();
        a.close();
        b.close();
        let got = objects(dir.path());
        assert_eq!(got.len(), 2);
        assert!(got.iter().any(|p| p.to_str().unwrap().contains("/other-")));
        assert_eq!(numbers(dir.path()), [1, 2, 3]);
    }

    #[test]
    fn refuses_lines_that_are_not_one_record() {
        let dir = tempfile::tempdir().unwrap();
        let s = DirStream::new(settings(dir.path()));
        assert!(s.append(b"{}", at(0)).is_err());
        assert!(s.append(b"{}\n{}\n", at(0)).is_err());
        assert!(s.append(b"", at(0)).is_err());
    }

    #[test]
    fn names_never_leave_the_directory() {
        assert_eq!(stream_name(ARN), "ses-events");
        assert_eq!(
            stream_name("arn:aws:firehose:r:1:deliverystream/../x"),
            ".._x"
        );
        assert_eq!(stream_name("weird"), "weird");
        assert_eq!(stream_name(""), "stream");
        assert_eq!(stream_name("a/b c"), "b_c");
        let t = parse_stamp("a-b-2024-05-01-10-00-05-67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(t.unwrap().unix_timestamp(), 1_714_557_605);
        assert!(parse_stamp("x-2024-05-01-10-00-05-nope").is_none());
        assert!(parse_stamp("").is_none());
        assert!(parse_stamp("é").is_none());
    }
}
