//! Machine activity: opens and clicks that no person made.
//!
//! Mail privacy proxies fetch every image of every message (Apple Mail
//! Privacy Protection, Gmail's and Yahoo's image proxies), and security
//! gateways follow every link before the recipient sees it. SES publishes
//! these as ordinary Open and Click events; mailsight publishes them too,
//! unchanged, and marks the stored event with the rule that matched so
//! analytics can count human engagement. The rules, in order:
//!
//! 1. A known proxy's user agent: `GoogleImageProxy` (Gmail),
//!    `YahooMailProxy` (Yahoo).
//! 2. Apple Mail Privacy Protection: a request from Apple's network
//!    (17.0.0.0/8), or the bare user agent `Mozilla/5.0` its fetcher sends.
//! 3. A link scanner's or tool's user agent (Barracuda, Mimecast,
//!    Proofpoint, Microsoft's Safe Links and previews, bots, crawlers,
//!    headless browsers, HTTP libraries), or no user agent at all.
//! 4. A click sooner after delivery than a person could click (by default
//!    under 5 seconds): scanners follow links as the message arrives.

use std::net::IpAddr;

/// Why an open or click was judged a machine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    GmailImageProxy,
    YahooMailProxy,
    AppleMailPrivacyProtection,
    LinkScanner,
    NoUserAgent,
    TooFast,
}

impl Machine {
    /// The name stored with the event.
    pub fn as_str(self) -> &'static str {
        match self {
            Machine::GmailImageProxy => "gmail-image-proxy",
            Machine::YahooMailProxy => "yahoo-mail-proxy",
            Machine::AppleMailPrivacyProtection => "apple-mail-privacy-protection",
            Machine::LinkScanner => "link-scanner",
            Machine::NoUserAgent => "no-user-agent",
            Machine::TooFast => "too-fast",
        }
    }
}

/// User-agent fragments of scanners, previews and tools (lower case).
const SCANNER_AGENTS: &[&str] = &[
    "barracuda",
    "mimecast",
    "proofpoint",
    "urldefense",
    "safelinks",
    "microsoft office",
    "ms-office",
    "bingpreview",
    "skypeuripreview",
    "slackbot",
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "python-urllib",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww-perl",
    "bot",
    "crawler",
    "spider",
    "scanner",
];

fn is_apple_network(ip: Option<IpAddr>) -> bool {
    matches!(ip, Some(IpAddr::V4(v4)) if v4.octets()[0] == 17)
}

fn proxy(user_agent: &str, ip: Option<IpAddr>) -> Option<Machine> {
    if user_agent.contains("GoogleImageProxy") {
        return Some(Machine::GmailImageProxy);
    }
    if user_agent.contains("YahooMailProxy") {
        return Some(Machine::YahooMailProxy);
    }
    if is_apple_network(ip) || user_agent.trim() == "Mozilla/5.0" {
        return Some(Machine::AppleMailPrivacyProtection);
    }
    None
}

fn tool(user_agent: &str) -> Option<Machine> {
    let ua = user_agent.trim().to_ascii_lowercase();
    if ua.is_empty() {
        return Some(Machine::NoUserAgent);
    }
    SCANNER_AGENTS
        .iter()
        .any(|s| ua.contains(s))
        .then_some(Machine::LinkScanner)
}

/// Judges an open.
pub fn classify_open(user_agent: &str, ip: Option<IpAddr>) -> Option<Machine> {
    proxy(user_agent, ip).or_else(|| tool(user_agent))
}

/// Judges a click made `since_delivery_ms` after the message was delivered
/// (`None` if it has not been delivered yet, which no person can beat).
pub fn classify_click(
    user_agent: &str,
    ip: Option<IpAddr>,
    since_delivery_ms: Option<i64>,
    min_human_ms: i64,
) -> Option<Machine> {
    if let Some(m) = proxy(user_agent, ip).or_else(|| tool(user_agent)) {
        return Some(m);
    }
    match since_delivery_ms {
        Some(ms) if ms >= min_human_ms => None,
        _ => Some(Machine::TooFast),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMAIL: &str =
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
    const YAHOO: &str = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";
    const APPLE_MAIL: &str =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60";
    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36";
    const SAFELINKS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Microsoft Office/16.0 (SafeLinks)";
    const BARRACUDA: &str = "Barracuda Sentinel (EE)";

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn proxies_are_machines() {
        assert_eq!(
            classify_open(GMAIL, ip("66.249.84.1")),
            Some(Machine::GmailImageProxy)
        );
        assert_eq!(
            classify_open(YAHOO, ip("98.136.0.1")),
            Some(Machine::YahooMailProxy)
        );
        // Apple's fetcher: Apple Mail's own agent, from Apple's network.
        assert_eq!(
            classify_open(APPLE_MAIL, ip("17.58.63.1")),
            Some(Machine::AppleMailPrivacyProtection)
        );
        assert_eq!(
            classify_open("Mozilla/5.0", ip("104.28.0.1")),
            Some(Machine::AppleMailPrivacyProtection)
        );
    }

    #[test]
    fn people_are_not() {
        assert_eq!(classify_open(APPLE_MAIL, ip("203.0.113.9")), None);
        assert_eq!(classify_open(IPHONE, ip("192.0.2.1")), None);
        assert_eq!(classify_open(CHROME, None), None);
        assert_eq!(
            classify_click(CHROME, ip("192.0.2.1"), Some(60_000), 5_000),
            None
        );
    }

    #[test]
    fn scanners_tools_and_fast_clicks_are_machines() {
        assert_eq!(
            classify_click(SAFELINKS, None, Some(60_000), 5_000),
            Some(Machine::LinkScanner)
        );
        assert_eq!(
            classify_click(BARRACUDA, None, Some(60_000), 5_000),
            Some(Machine::LinkScanner)
        );
        assert_eq!(
            classify_click("curl/8.5.0", None, Some(60_000), 5_000),
            Some(Machine::LinkScanner)
        );
        assert_eq!(
            classify_click("", None, Some(60_000), 5_000),
            Some(Machine::NoUserAgent)
        );
        assert_eq!(
            classify_click(CHROME, None, Some(1_200), 5_000),
            Some(Machine::TooFast)
        );
        assert_eq!(
            classify_click(CHROME, None, None, 5_000),
            Some(Machine::TooFast)
        );
        assert_eq!(classify_click(CHROME, None, Some(1_200), 0), None);
    }
}
