//! `mailsight-bench corpus`: writes an NDJSON corpus of generated SES
//! records (the import phase's input) and a sample of its message ids.

use std::path::PathBuf;

use anyhow::Context;

use crate::generator::{Generator, write_sample};

#[derive(clap::Args)]
pub struct CorpusArgs {
    /// How many records.
    #[arg(long, default_value_t = 1_000_000)]
    records: usize,
    /// The NDJSON file to write.
    #[arg(long)]
    out: PathBuf,
    /// The AWS example records to draw shapes from.
    #[arg(long, default_value = "../shared/fixtures/ses-docs-examples")]
    fixtures: PathBuf,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Write a sample of the message ids here (one per line).
    #[arg(long)]
    ids: Option<PathBuf>,
}

pub fn corpus(args: CorpusArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let mut g = Generator::new(&args.fixtures, args.seed, 20_000)?;
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let (mut written, mut bytes, mut lines) = (0usize, 0usize, Vec::new());
    while written < args.records {
        lines.clear();
        g.message(&mut lines);
        for l in lines.iter().take(args.records - written) {
            w.write_all(l)?;
            w.write_all(b"\n")?;
            bytes += l.len() + 1;
            written += 1;
        }
    }
    w.flush()?;
    write_sample(args.ids.as_deref(), &g.sample)?;
    eprintln!(
        "wrote {written} records ({} messages, {:.0} bytes per record) to {}",
        g.messages,
        bytes as f64 / written as f64,
        args.out.display()
    );
    Ok(())
}
