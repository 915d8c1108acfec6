//! Where an export's file goes, and how its rows are written.
//!
//! A job without `S3Url` writes under the exports directory, one folder
//! per account. A job naming `s3://bucket/key` writes into the directory
//! the config binds to that bucket (`[exports.buckets]`), at `key` (a key
//! ending in `/` is a folder: the file is named after the job), so a team
//! can point a job at a directory another tool collects from. Rows go to
//! `<file>.part` and the file appears, complete and synced, only when the
//! job completes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::spec::DataFormat;

/// Where exports are written, and how fast.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportsConfig {
    /// Files of jobs that name no `S3Url`.
    pub directory: PathBuf,
    /// Bucket name → the directory standing for it.
    pub buckets: BTreeMap<String, PathBuf>,
    /// At most this many rows per second per job (0: no limit), so that a
    /// large export leaves the store to the API.
    pub rows_per_second: u32,
    /// The base of download links (`S3Url`); `None`: the host the client
    /// reached.
    pub public_url: Option<String>,
}

impl ExportsConfig {
    /// The exports directory inside a data directory, no buckets, no limit.
    pub fn in_data_dir(data_dir: &Path) -> ExportsConfig {
        ExportsConfig {
            directory: data_dir.join("exports"),
            buckets: BTreeMap::new(),
            rows_per_second: 0,
            public_url: None,
        }
    }

    /// The file of a job, or why its `S3Url` cannot be written.
    pub fn location(
        &self,
        account: &str,
        job_id: &str,
        s3_url: Option<&str>,
        format: DataFormat,
    ) -> Result<PathBuf, String> {
        let name = format!("{job_id}.{}", format.extension());
        let Some(url) = s3_url else {
            return Ok(self.directory.join(safe_segment(account)?).join(name));
        };
        let mut path = self.object(url)?;
        if url.ends_with('/') {
            path.push(name);
        }
        Ok(path)
    }

    /// The file standing for the S3 object `s3://bucket/key`, in the
    /// directory `[exports.buckets]` binds to the bucket: where an export
    /// writes it and where an import job reads it.
    pub fn object(&self, url: &str) -> Result<PathBuf, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("S3Url {url} is not of the form s3://bucket/key."))?;
        let (bucket, key) = rest
            .split_once('/')
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
            .ok_or_else(|| format!("S3Url {url} is not of the form s3://bucket/key."))?;
        let dir = self.buckets.get(bucket).ok_or_else(|| {
            format!(
                "The bucket {bucket} is not bound to a directory in mailsight's [exports.buckets]; \
                 bind it to the directory that stands for it."
            )
        })?;
        let mut path = dir.clone();
        for part in Path::new(key).components() {
            match part {
                Component::Normal(p) => path.push(p),
                _ => {
                    return Err(format!(
                        "The key of S3Url {url} may not climb out of the bucket ('..')."
                    ));
                }
            }
        }
        Ok(path)
    }
}

/// An account id as a folder name: nothing that could leave the folder.
fn safe_segment(s: &str) -> Result<&str, String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(s)
    } else {
        Err(format!("The account id {s} cannot name a folder."))
    }
}

/// The rows of one export being written.
pub struct RowWriter {
    columns: Vec<String>,
    out: Out,
    part: PathBuf,
    path: PathBuf,
}

enum Out {
    Csv(Box<csv::Writer<File>>),
    Json(BufWriter<File>),
}

fn part_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".part");
    PathBuf::from(p)
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl RowWriter {
    /// Starts `<path>.part` (replacing what an interrupted run left).
    pub fn create<C: Into<String>>(
        path: &Path,
        format: DataFormat,
        columns: impl IntoIterator<Item = C>,
    ) -> std::io::Result<RowWriter> {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let part = part_of(path);
        let file = File::create(&part)?;
        let out = match format {
            DataFormat::Csv => {
                let mut w = csv::Writer::from_writer(file);
                w.write_record(&columns)?;
                Out::Csv(Box::new(w))
            }
            DataFormat::Json => Out::Json(BufWriter::new(file)),
        };
        Ok(RowWriter {
            columns,
            out,
            part,
            path: path.to_owned(),
        })
    }

    /// Appends rows, each with one value per column.
    pub fn rows(&mut self, rows: &[Vec<Value>]) -> std::io::Result<()> {
        for row in rows {
            match &mut self.out {
                Out::Csv(w) => w.write_record(row.iter().map(cell))?,
                Out::Json(w) => {
                    let object: Map<String, Value> = self
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.clone(), v.clone()))
                        .collect();
                    serde_json::to_writer(&mut *w, &object)?;
                    w.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }

    /// Syncs the file and gives it its name.
    pub fn finish(self) -> std::io::Result<PathBuf> {
        let file = match self.out {
            Out::Csv(w) => w.into_inner().map_err(|e| e.into_error())?,
            Out::Json(w) => w.into_inner().map_err(|e| e.into_error())?,
        };
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.part, &self.path)?;
        if let Some(dir) = self.path.parent()
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(self.path)
    }

    /// Drops what was written (a cancelled job).
    pub fn abandon(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ExportsConfig {
        let mut c = ExportsConfig::in_data_dir(Path::new("/data"));
        c.buckets
            .insert("reports".into(), PathBuf::from("/srv/reports"));
        c
    }

    #[test]
    fn jobs_write_where_their_url_says_or_in_the_exports_directory() {
        let c = config();
        let at = |url: Option<&str>| c.location("123456789012", "j1", url, DataFormat::Csv);
        assert_eq!(
            at(None).unwrap(),
            Path::new("/data/exports/123456789012/j1.csv")
        );
        assert_eq!(
            at(Some("s3://reports/vdm/")).unwrap(),
            Path::new("/srv/reports/vdm/j1.csv")
        );
        assert_eq!(
            at(Some("s3://reports/vdm/daily.csv")).unwrap(),
            Path::new("/srv/reports/vdm/daily.csv")
        );
        assert!(at(Some("s3://other/x")).unwrap_err().contains("not bound"));
        assert!(
            at(Some("s3://reports/../etc/x"))
                .unwrap_err()
                .contains("..")
        );
        assert!(at(Some("s3://reports/a//b")).is_ok_and(|p| p == Path::new("/srv/reports/a/b")));
        assert!(at(Some("https://reports/x")).is_err());
        assert!(at(Some("s3://reports/")).is_err());
        assert!(
            c.location("../x", "j", None, DataFormat::Json).is_err(),
            "an account id never leaves the folder"
        );
    }

    #[test]
    fn rows_appear_only_when_finished_and_quote_as_csv_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/j.csv");
        let mut w = RowWriter::create(&path, DataFormat::Csv, vec!["id", "subject", "n"]).unwrap();
        w.rows(&[vec!["m1".into(), "Hello, \"you\"".into(), 3.into()]])
            .unwrap();
        w.rows(&[vec!["m2".into(), Value::Null, 0.5.into()]])
            .unwrap();
        assert!(!path.exists(), "nothing under the final name yet");
        assert_eq!(w.finish().unwrap(), path);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "id,subject,n\nm1,\"Hello, \"\"you\"\"\",3\nm2,,0.5\n"
        );

        let path = dir.path().join("j.json");
        let mut w = RowWriter::create(&path, DataFormat::Json, vec!["id", "n"]).unwrap();
        w.rows(&[vec!["m1".into(), 1.into()], vec!["m2".into(), Value::Null]])
            .unwrap();
        w.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"m1\",\"n\":1}\n{\"id\":\"m2\",\"n\":null}\n"
        );

        let path = dir.path().join("gone.csv");
        let w = RowWriter::create(&path, DataFormat::Csv, vec!["x"]).unwrap();
        w.abandon();
        assert!(!path.exists() && !part_of(&path).exists());
    }
}
