//! Which mailbox provider a recipient belongs to, for the `Isp` field of
//! message insights and for per-ISP analytics.
//!
//! SES does not document how it infers the ISP (MX lookups are the usual
//! way). mailsight must not do network I/O here, so this is a static table of
//! the consumer mailbox domains of the large providers. A company domain
//! hosted at Google or Microsoft therefore reports `UNKNOWN_ISP`, which is
//! what an offline classifier can honestly say.
//!
//! Naming decisions:
//! - Names are the provider's *mailbox brand*, not whose servers run it:
//!   AOL, Verizon and AT&T addresses are all served by Yahoo today, yet users
//!   and deliverability reports know them by their own names.
//! - All Microsoft consumer domains (hotmail, live, msn, outlook) report
//!   `Outlook`, Microsoft's current name for the service, matching the
//!   example names SES gives (`Gmail`, `Yahoo`, `Outlook`, `Apple`).
//!   Microsoft 365 tenant domains (`*.onmicrosoft.com`) report `Microsoft 365`.
//! - Yahoo Japan is a separate company with separate mail and reports
//!   `Yahoo Japan`.
//! - The SES mailbox simulator reports [`MAILBOX_SIMULATOR`]. Real SES leaves
//!   simulator sends out of insights altogether; mailsight shows them to
//!   developers, and a name that says what they are is more useful there than
//!   `UNKNOWN_ISP`.
//!
//! Subdomains: a subdomain matches its parent only for providers that
//! really hand out mail subdomains (regional Road Runner domains such as
//! `nyc.rr.com`, VIP mailboxes at `vip.qq.com` / `vip.163.com`, Microsoft 365
//! tenants). Elsewhere a subdomain is most likely a different organisation's
//! setup or a typo, and guessing would inflate a provider's numbers.

/// The `Isp` value for a domain not in the table.
pub const UNKNOWN_ISP: &str = "UNKNOWN_ISP";

/// The `Isp` value for `simulator.amazonses.com`.
pub const MAILBOX_SIMULATOR: &str = "Amazon SES Mailbox Simulator";

/// Longest DNS name; anything longer cannot be a domain we know.
const MAX_DOMAIN: usize = 253;

/// The ISP display name for an address (`user@Gmail.com`, `<a@b.c>`) or a
/// bare domain, case-insensitively; [`UNKNOWN_ISP`] if not recognised.
/// Does not allocate.
pub fn classify(address: &str) -> &'static str {
    let domain = match address.rsplit_once('@') {
        Some((_, d)) => d,
        None => address,
    };
    let domain = domain
        .trim()
        .trim_end_matches('>')
        .trim_end()
        .trim_end_matches('.');
    if domain.is_empty() || domain.len() > MAX_DOMAIN || !domain.is_ascii() {
        return UNKNOWN_ISP;
    }
    let mut buf = [0u8; MAX_DOMAIN];
    let lower = &mut buf[..domain.len()];
    lower.copy_from_slice(domain.as_bytes());
    lower.make_ascii_lowercase();
    let Ok(lower) = std::str::from_utf8(lower) else {
        return UNKNOWN_ISP;
    };

    if let Some(name) = exact(lower) {
        return name;
    }
    // Walk up the parents for the providers that own whole subtrees.
    let mut rest = lower;
    while let Some((_, parent)) = rest.split_once('.') {
        if let Some(name) = with_subdomains(parent) {
            return name;
        }
        rest = parent;
    }
    UNKNOWN_ISP
}

/// Domains (and their subdomains) where any host below is the provider's.
fn with_subdomains(domain: &str) -> Option<&'static str> {
    Some(match domain {
        "rr.com" => "Spectrum",
        "qq.com" => "QQ",
        "163.com" | "126.com" => "NetEase",
        "onmicrosoft.com" => "Microsoft 365",
        _ => return None,
    })
}

/// Exact consumer mailbox domains.
fn exact(domain: &str) -> Option<&'static str> {
    if let Some(name) = with_subdomains(domain) {
        return Some(name);
    }
    Some(match domain {
        "gmail.com" | "googlemail.com" => "Gmail",

        "yahoo.com" | "yahoo.co.uk" | "yahoo.fr" | "yahoo.de" | "yahoo.it" | "yahoo.es"
        | "yahoo.ca" | "yahoo.com.au" | "yahoo.com.br" | "yahoo.com.mx" | "yahoo.com.ar"
        | "yahoo.co.in" | "yahoo.in" | "yahoo.co.id" | "yahoo.com.sg" | "yahoo.com.ph"
        | "yahoo.com.hk" | "yahoo.com.tw" | "yahoo.com.vn" | "yahoo.com.my" | "yahoo.com.tr"
        | "yahoo.co.th" | "yahoo.co.nz" | "yahoo.co.za" | "yahoo.ie" | "yahoo.se" | "yahoo.dk"
        | "yahoo.no" | "yahoo.fi" | "yahoo.gr" | "yahoo.pl" | "yahoo.ro" | "yahoo.at"
        | "yahoo.be" | "yahoo.ch" | "yahoo.nl" | "yahoo.cl" | "yahoo.com.co" | "yahoo.com.pe"
        | "ymail.com" | "rocketmail.com" => "Yahoo",
        "yahoo.co.jp" | "ymail.ne.jp" => "Yahoo Japan",
        "aol.com" | "aol.co.uk" | "aol.fr" | "aol.de" | "aol.it" | "aim.com" | "love.com"
        | "games.com" | "wow.com" => "AOL",

        "outlook.com" | "outlook.fr" | "outlook.de" | "outlook.es" | "outlook.it"
        | "outlook.jp" | "outlook.kr" | "outlook.sa" | "outlook.cl" | "outlook.com.br"
        | "outlook.com.ar" | "outlook.com.au" | "outlook.co.th" | "outlook.in" | "outlook.ie"
        | "outlook.at" | "outlook.be" | "outlook.dk" | "outlook.pt" | "outlook.com.gr"
        | "outlook.com.tr" | "outlook.com.vn" | "outlook.my" | "outlook.ph" | "outlook.sg"
        | "outlook.co.nz" | "outlook.co.id" | "outlook.co.il" | "hotmail.com" | "hotmail.co.uk"
        | "hotmail.fr" | "hotmail.de" | "hotmail.it" | "hotmail.es" | "hotmail.ca"
        | "hotmail.be" | "hotmail.nl" | "hotmail.se" | "hotmail.no" | "hotmail.dk"
        | "hotmail.fi" | "hotmail.gr" | "hotmail.ch" | "hotmail.at" | "hotmail.cl"
        | "hotmail.co.jp" | "hotmail.co.th" | "hotmail.co.za" | "hotmail.co.nz"
        | "hotmail.co.in" | "hotmail.com.br" | "hotmail.com.ar" | "hotmail.com.mx"
        | "hotmail.com.au" | "hotmail.com.tr" | "hotmail.com.tw" | "hotmail.com.hk"
        | "hotmail.com.vn" | "hotmail.my" | "hotmail.ph" | "hotmail.sg" | "live.com"
        | "live.co.uk" | "live.fr" | "live.de" | "live.it" | "live.nl" | "live.be" | "live.ca"
        | "live.com.au" | "live.com.mx" | "live.com.ar" | "live.com.pt" | "live.se" | "live.dk"
        | "live.no" | "live.fi" | "live.at" | "live.ch" | "live.ie" | "live.jp" | "live.cn"
        | "live.cl" | "live.co.za" | "live.in" | "live.ru" | "msn.com" | "passport.com"
        | "windowslive.com" => "Outlook",

        "icloud.com" | "me.com" | "mac.com" => "Apple",

        // North American ISPs.
        "comcast.net" => "Comcast",
        "verizon.net" => "Verizon",
        "att.net" | "sbcglobal.net" | "bellsouth.net" | "pacbell.net" | "swbell.net"
        | "flash.net" | "prodigy.net" | "ameritech.net" | "wans.net" | "snet.net"
        | "nvbell.net" => "AT&T",
        "charter.net" | "twc.com" | "roadrunner.com" | "brighthouse.com" | "spectrum.net" => {
            "Spectrum"
        }
        "cox.net" => "Cox",
        "centurylink.net" | "embarqmail.com" | "q.com" => "CenturyLink",
        "earthlink.net" | "mindspring.com" => "EarthLink",
        "optonline.net" | "optimum.net" => "Optimum",
        "frontier.com" | "frontiernet.net" => "Frontier",
        "juno.com" | "netzero.net" | "netzero.com" => "United Online",
        "shaw.ca" => "Shaw",
        "rogers.com" => "Rogers",
        "sympatico.ca" | "bell.net" => "Bell",
        "videotron.ca" => "Videotron",
        "telus.net" => "Telus",

        // Independent webmail.
        "zoho.com" | "zohomail.com" | "zoho.eu" | "zohomail.eu" | "zoho.in" | "zohomail.in" => {
            "Zoho"
        }
        "protonmail.com" | "protonmail.ch" | "proton.me" | "pm.me" => "ProtonMail",
        "tutanota.com" | "tutanota.de" | "tutamail.com" | "tuta.io" | "tuta.com" | "keemail.me" => {
            "Tuta"
        }
        "fastmail.com" | "fastmail.fm" => "Fastmail",
        "mail.com" | "email.com" | "usa.com" => "Mail.com",
        "hey.com" => "HEY",

        // Europe.
        "gmx.de" | "gmx.net" | "gmx.com" | "gmx.at" | "gmx.ch" | "gmx.fr" | "gmx.co.uk"
        | "gmx.us" | "gmx.es" => "GMX",
        "web.de" => "Web.de",
        "t-online.de" | "magenta.de" => "T-Online",
        "freenet.de" => "Freenet",
        "posteo.de" | "posteo.net" => "Posteo",
        "mailbox.org" => "Mailbox.org",
        "orange.fr" | "wanadoo.fr" => "Orange",
        "free.fr" => "Free",
        "sfr.fr" | "neuf.fr" => "SFR",
        "laposte.net" => "La Poste",
        "bbox.fr" => "Bouygues Telecom",
        "libero.it" | "iol.it" | "inwind.it" | "blu.it" => "Libero",
        "virgilio.it" => "Virgilio",
        "tim.it" | "alice.it" | "tin.it" => "TIM",
        "seznam.cz" | "email.cz" | "post.cz" | "spoluzaci.cz" => "Seznam",
        "wp.pl" | "o2.pl" => "WP",
        "onet.pl" | "op.pl" | "onet.eu" => "Onet",
        "interia.pl" | "interia.eu" => "Interia",
        "btinternet.com" | "btopenworld.com" => "BT",
        "sky.com" => "Sky",
        "virginmedia.com" | "ntlworld.com" | "blueyonder.co.uk" => "Virgin Media",
        "talktalk.net" => "TalkTalk",
        "ziggo.nl" => "Ziggo",
        "kpnmail.nl" | "planet.nl" => "KPN",
        "telenet.be" => "Telenet",
        "skynet.be" => "Proximus",
        "bluewin.ch" => "Swisscom",

        // Russia and neighbours.
        "mail.ru" | "bk.ru" | "inbox.ru" | "list.ru" | "internet.ru" | "mail.ua" => "Mail.ru",
        "yandex.ru" | "yandex.com" | "ya.ru" | "yandex.ua" | "yandex.by" | "yandex.kz"
        | "yandex.com.tr" | "narod.ru" => "Yandex",
        "rambler.ru" | "lenta.ru" | "ro.ru" => "Rambler",

        // Asia.
        "foxmail.com" => "QQ",
        "yeah.net" | "188.com" => "NetEase",
        "sina.com" | "sina.cn" | "sina.com.cn" => "Sina",
        "sohu.com" => "Sohu",
        "aliyun.com" => "Aliyun",
        "naver.com" => "Naver",
        "daum.net" | "hanmail.net" | "kakao.com" => "Daum",
        "nate.com" => "Nate",
        "rediffmail.com" => "Rediffmail",
        "docomo.ne.jp" => "NTT Docomo",
        "ezweb.ne.jp" | "au.com" => "au",
        "softbank.ne.jp" | "i.softbank.jp" => "SoftBank",

        // Oceania and Latin America.
        "bigpond.com" | "bigpond.net.au" | "telstra.com" => "Telstra",
        "optusnet.com.au" => "Optus",
        "xtra.co.nz" => "Xtra",
        "uol.com.br" | "bol.com.br" => "UOL",
        "terra.com.br" => "Terra",

        "simulator.amazonses.com" => MAILBOX_SIMULATOR,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_providers_and_their_aliases() {
        for (addr, isp) in [
            ("a@gmail.com", "Gmail"),
            ("a@googlemail.com", "Gmail"),
            ("a@yahoo.co.uk", "Yahoo"),
            ("a@ymail.com", "Yahoo"),
            ("a@rocketmail.com", "Yahoo"),
            ("a@yahoo.co.jp", "Yahoo Japan"),
            ("a@aol.com", "AOL"),
            ("a@hotmail.fr", "Outlook"),
            ("a@live.com", "Outlook"),
            ("a@msn.com", "Outlook"),
            ("a@outlook.com", "Outlook"),
            ("a@passport.com", "Outlook"),
            ("a@icloud.com", "Apple"),
            ("a@me.com", "Apple"),
            ("a@mac.com", "Apple"),
            ("a@comcast.net", "Comcast"),
            ("a@verizon.net", "Verizon"),
            ("a@sbcglobal.net", "AT&T"),
            ("a@bellsouth.net", "AT&T"),
            ("a@gmx.net", "GMX"),
            ("a@web.de", "Web.de"),
            ("a@bk.ru", "Mail.ru"),
            ("a@list.ru", "Mail.ru"),
            ("a@ya.ru", "Yandex"),
            ("a@zohomail.com", "Zoho"),
            ("a@pm.me", "ProtonMail"),
            ("a@proton.me", "ProtonMail"),
            ("a@qq.com", "QQ"),
            ("a@163.com", "NetEase"),
            ("a@yeah.net", "NetEase"),
            ("a@orange.fr", "Orange"),
            ("a@free.fr", "Free"),
            ("a@sfr.fr", "SFR"),
            ("a@libero.it", "Libero"),
            ("a@t-online.de", "T-Online"),
            ("a@seznam.cz", "Seznam"),
            ("a@naver.com", "Naver"),
            ("a@hanmail.net", "Daum"),
        ] {
            assert_eq!(classify(addr), isp, "{addr}");
        }
    }

    #[test]
    fn input_forms_and_case() {
        assert_eq!(classify("Jane@GMAIL.COM"), "Gmail");
        assert_eq!(classify("gmail.com"), "Gmail");
        assert_eq!(classify("Jane Doe <jane@Gmail.com>"), "Gmail");
        assert_eq!(classify("jane@gmail.com."), "Gmail");
        assert_eq!(classify("  jane@gmail.com  "), "Gmail");
        assert_eq!(classify("\"a@b\"@gmail.com"), "Gmail");
    }

    #[test]
    fn unknown_and_degenerate_inputs() {
        for addr in [
            "",
            "@",
            "a@",
            "a@example.com",
            "a@notgmail.com",
            "a@gmail.com.evil.example",
            "a@gmail",
            "a@gmäil.com",
            "a@.",
        ] {
            assert_eq!(classify(addr), UNKNOWN_ISP, "{addr:?}");
        }
        let long = format!("a@{}.gmail.com", "x".repeat(300));
        assert_eq!(classify(&long), UNKNOWN_ISP);
    }

    #[test]
    fn subdomains_only_where_the_provider_owns_the_subtree() {
        assert_eq!(classify("a@nyc.rr.com"), "Spectrum");
        assert_eq!(classify("a@socal.rr.com"), "Spectrum");
        assert_eq!(classify("a@vip.qq.com"), "QQ");
        assert_eq!(classify("a@vip.163.com"), "NetEase");
        assert_eq!(classify("a@contoso.onmicrosoft.com"), "Microsoft 365");
        assert_eq!(classify("a@mail.gmail.com"), UNKNOWN_ISP);
        assert_eq!(classify("a@corp.yahoo.com"), UNKNOWN_ISP);
        assert_eq!(classify("a@x.hotmail.com"), UNKNOWN_ISP);
        // A parent that merely ends with a known name is not that name.
        assert_eq!(classify("a@notrr.com"), UNKNOWN_ISP);
    }

    #[test]
    fn mailbox_simulator() {
        assert_eq!(
            classify("success@simulator.amazonses.com"),
            MAILBOX_SIMULATOR
        );
        assert_eq!(
            classify("bounce+label@SIMULATOR.amazonses.com"),
            MAILBOX_SIMULATOR
        );
        assert_eq!(classify("a@amazonses.com"), UNKNOWN_ISP);
    }
}
