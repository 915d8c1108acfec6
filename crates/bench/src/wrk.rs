//! `mailsight-bench wrk-script`: a `wrk` Lua script of signed
//! `GetMessageInsights` requests, for the insights phases.

use std::path::PathBuf;

use crate::sigv4::{Key, sign};

#[derive(clap::Args)]
pub struct WrkArgs {
    /// Message ids, one per line (from `corpus --ids` / `fill --ids`).
    #[arg(long, required = true)]
    ids: Vec<PathBuf>,
    /// host:port the requests are signed for.
    #[arg(long)]
    host: String,
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    key: Key,
}

/// A wrk script cycling through signed GetMessageInsights requests (each
/// signature valid for the 15 minutes SigV4 allows).
pub fn wrk_script(args: WrkArgs) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    for f in &args.ids {
        ids.extend(
            std::fs::read_to_string(f)?
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    anyhow::ensure!(!ids.is_empty(), "no message ids");
    // Lua allows 65,536 constants per function: one function per 5,000 requests.
    let mut lua = String::from(
        "local reqs = {}\nlocal function add(t) for _, r in ipairs(t) do reqs[#reqs + 1] = r end end\n",
    );
    for (n, id) in ids.iter().enumerate() {
        if n % 5_000 == 0 {
            if n > 0 {
                lua.push_str("}) end)()\n");
            }
            lua.push_str(";(function() add({\n");
        }
        let path = format!("/v2/email/insights/{id}/");
        let (auth, date) = sign(&args.key, "ses", "GET", &args.host, &path, b"", now);
        lua.push_str(&format!(
            "wrk.format(\"GET\", \"{path}\", {{[\"Host\"]=\"{}\", [\"Authorization\"]=\"{auth}\", [\"X-Amz-Date\"]=\"{date}\"}}),\n",
            args.host
        ));
    }
    lua.push_str(
        "}) end)()\nlocal i = 0\n\
         function init(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#reqs) end\n\
         function request() i = i % #reqs + 1; return reqs[i] end\n\
         local bad = 0\n\
         function response(status, headers, body) if status ~= 200 then bad = bad + 1; if bad < 3 then print(status, body) end end end\n",
    );
    std::fs::write(&args.out, lua)?;
    Ok(())
}
