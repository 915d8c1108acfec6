//! Realistic SES records, generated: the shapes of the AWS example records
//! with fresh message ids, recipients and timestamps. The corpus, `fill`
//! and `sns` phases all draw from [`Generator`].

use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "example.com",
    "web.de",
    "mail.ru",
    "qq.com",
];

/// A piece of a record template: literal JSON, or a value to fill in.
#[derive(Debug, Clone)]
enum Seg {
    Lit(String),
    MessageId,
    Recipient,
    SentAt,
    EventAt,
    Mail,
}

/// A placeholder of the record template and the segment it stands for.
type Marker = (&'static str, fn() -> Seg);

const MARKERS: &[Marker] = &[
    ("@@MID@@", || Seg::MessageId),
    ("@@RCPT@@", || Seg::Recipient),
    ("@@SENT@@", || Seg::SentAt),
    ("@@EVT@@", || Seg::EventAt),
    ("\"@@MAIL@@\"", || Seg::Mail),
];

fn segments(text: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let next = MARKERS
            .iter()
            .filter_map(|(m, f)| rest.find(m).map(|at| (at, *m, *f)))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, m, f)) => {
                out.push(Seg::Lit(rest[..at].to_owned()));
                out.push(f());
                rest = &rest[at + m.len()..];
            }
            None => {
                out.push(Seg::Lit(rest.to_owned()));
                return out;
            }
        }
    }
}

fn retarget(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|v| retarget(v, old, new)),
        Value::Array(a) => a.iter_mut().for_each(|v| retarget(v, old, new)),
        Value::String(s) if s.contains(old) => *s = s.replace(old, new),
        _ => {}
    }
}

/// One fixture, cut into segments: its `mail` object, and the record
/// around it (the event part).
struct Template {
    mail: Vec<Seg>,
    record: Vec<Seg>,
}

/// Generates records shaped like the AWS example records: each message
/// gets 2 to 5 events of distinct types of one family (event publishing or
/// feedback notifications) sharing one `mail` object, as SES sends them,
/// with its own message id, recipient and timestamps.
pub struct Generator {
    families: Vec<Vec<Template>>,
    rng: SmallRng,
    /// The send time of the last message generated.
    clock: i64,
    /// Message ids seen, a reservoir sample for load generators.
    pub sample: Vec<String>,
    sample_cap: usize,
    /// How many messages were generated.
    pub messages: u64,
}

fn load_templates(fixtures: &Path) -> anyhow::Result<Vec<Vec<Template>>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .with_context(|| format!("cannot read fixtures in {}", fixtures.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let (mut events, mut feedback) = (Vec::new(), Vec::new());
    for name in names {
        let mut v: Value = serde_json::from_slice(&std::fs::read(&name)?)?;
        let old = v["mail"]["destination"][0]
            .as_str()
            .context("fixture without mail.destination")?
            .to_owned();
        retarget(&mut v, &old, "@@RCPT@@");
        let mut mail = v["mail"].take();
        mail["messageId"] = json!("@@MID@@");
        mail["timestamp"] = json!("@@SENT@@");
        v["mail"] = json!("@@MAIL@@");
        let obj = v.as_object_mut().context("fixture is not an object")?;
        let key = obj
            .keys()
            .find(|k| !["eventType", "notificationType", "mail"].contains(&k.as_str()))
            .cloned();
        if let Some(k) = key
            && let Some(o) = obj.get_mut(&k).and_then(Value::as_object_mut)
            && o.contains_key("timestamp")
        {
            o.insert("timestamp".into(), json!("@@EVT@@"));
        }
        let t = Template {
            mail: segments(&serde_json::to_string(&mail)?),
            record: segments(&serde_json::to_string(&v)?),
        };
        if v.get("notificationType").is_some() {
            feedback.push(t);
        } else {
            events.push(t);
        }
    }
    anyhow::ensure!(!events.is_empty(), "no fixtures in {}", fixtures.display());
    Ok([events, feedback]
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect())
}

fn iso(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

impl Generator {
    pub fn new(fixtures: &Path, seed: u64, sample_cap: usize) -> anyhow::Result<Self> {
        Ok(Generator {
            families: load_templates(fixtures)?,
            rng: SmallRng::seed_from_u64(seed),
            clock: 1_767_225_600_000, // 2026-01-01
            sample: Vec::new(),
            sample_cap,
            messages: 0,
        })
    }

    /// Moves the send clock `days` forward.
    pub fn starting_after_days(mut self, days: i64) -> Self {
        self.clock += days * 86_400_000;
        self
    }

    /// The records of one more message, each as one line (no newline).
    pub fn message(&mut self, out: &mut Vec<Vec<u8>>) {
        let rng = &mut self.rng;
        let total: usize = self.families.iter().map(Vec::len).sum();
        let mut pick = rng.random_range(0..total);
        let family = self
            .families
            .iter()
            .find(|f| {
                if pick < f.len() {
                    true
                } else {
                    pick -= f.len();
                    false
                }
            })
            .expect("pick is below the total");
        let k = rng.random_range(2..=5usize).min(family.len());
        let chosen: Vec<&Template> = family.choose_multiple(rng, k).collect();
        // Messages go out in time order, about 9 s apart, and their ids
        // start with the send time in hex, as SES's do: a real event stream
        // (or a month of Firehose files) is close to id order, not random.
        self.clock += rng.random_range(0..18_000i64);
        let sent = self.clock;
        let id = format!(
            "0100{:012x}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}-000000",
            sent,
            rng.random::<u32>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random::<u64>() & 0xffff_ffff_ffff
        );
        let recipient = format!(
            "user{}@{}",
            rng.random_range(0..10_000_000u32),
            DOMAINS.choose(rng).expect("not empty")
        );
        let sent_text = iso(sent);
        let fill = |segs: &[Seg], line: &mut Vec<u8>, mail: &[u8], event: &str| {
            for s in segs {
                match s {
                    Seg::Lit(l) => line.extend_from_slice(l.as_bytes()),
                    Seg::MessageId => line.extend_from_slice(id.as_bytes()),
                    Seg::Recipient => line.extend_from_slice(recipient.as_bytes()),
                    Seg::SentAt => line.extend_from_slice(sent_text.as_bytes()),
                    Seg::EventAt => line.extend_from_slice(event.as_bytes()),
                    Seg::Mail => line.extend_from_slice(mail),
                }
            }
        };
        let mut mail = Vec::with_capacity(1024);
        fill(&chosen[0].mail, &mut mail, b"", "");
        for t in &chosen {
            let event = iso(sent + rng.random_range(100..600_000i64));
            let mut line = Vec::with_capacity(mail.len() + 512);
            fill(&t.record, &mut line, &mail, &event);
            out.push(line);
        }
        self.messages += 1;
        if self.sample.len() < self.sample_cap {
            self.sample.push(id);
        } else {
            let j = rng.random_range(0..self.messages) as usize;
            if j < self.sample_cap {
                self.sample[j] = id;
            }
        }
    }
}

/// Writes the sampled message ids, one per line, when asked for.
pub fn write_sample(path: Option<&Path>, sample: &[String]) -> anyhow::Result<()> {
    if let Some(p) = path {
        std::fs::write(p, sample.join("\n") + "\n")
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_records_parse_and_share_their_mail() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/ses-docs-examples");
        if !dir.exists() {
            return;
        }
        let mut g = Generator::new(&dir, 1, 10).unwrap();
        let mut out = Vec::new();
        for _ in 0..50 {
            out.clear();
            g.message(&mut out);
            let mails: Vec<Value> = out
                .iter()
                .map(|l| {
                    mailsight_model::EventRecord::parse(l).unwrap();
                    serde_json::from_slice::<Value>(l).unwrap()["mail"].clone()
                })
                .collect();
            assert!(mails.windows(2).all(|w| w[0] == w[1]));
        }
    }
}
