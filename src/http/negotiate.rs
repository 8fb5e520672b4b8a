//! Proactive content negotiation (RFC 9110 §12.5): which of the representations a route can
//! send a request's `Accept` prefers, and whether its `Accept-Encoding` allows a coding.
//!
//! Each offer gets the weight of the most specific range that matches it (`text/html` before
//! `text/*` before `*/*`; `q=0` means "not acceptable"); the heaviest offer wins, ties going
//! to the server's order. Written by hand (about fifty lines over the RFC's grammar): the
//! crates that do it pull in a web framework, and the rules are short.

/// One member of an `Accept` or `Accept-Encoding` list: the range (lowercase) and its weight.
fn ranges(header: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    header.split(',').filter_map(|member| {
        let mut parts = member.split(';');
        let range = parts.next()?.trim().to_ascii_lowercase();
        if range.is_empty() {
            return None;
        }
        let mut q = 1.0;
        for p in parts {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                // A weight that is not a number in [0, 1] makes the member meaningless.
                q = v.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))?;
            }
        }
        Some((range, q))
    })
}

/// The weight `accept` gives `media` (`type/subtype`, lowercase), by the most specific
/// matching range; 0 when none matches.
pub fn media_quality(accept: &str, media: &str) -> f32 {
    let (ty, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for (range, q) in ranges(accept) {
        let specificity = if range == media {
            3
        } else if range.strip_suffix("/*") == Some(ty) {
            2
        } else if range == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// The offer an `Accept` value prefers: the first of the heaviest, `None` when every offer
/// has weight 0 (not acceptable: a 406, or the caller's default). No `Accept` (or an empty
/// one) accepts anything: the first offer.
pub fn preferred<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return offers.first().copied();
    };
    let mut best: Option<(&str, f32)> = None;
    for o in offers {
        let q = media_quality(accept, o);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((o, q));
        }
    }
    best.map(|(o, _)| o)
}

/// Whether an `Accept-Encoding` value allows `coding` (RFC 9110 §12.5.3): its own member, else
/// `*`, with a weight above 0.
pub fn accepts_coding(accept_encoding: &str, coding: &str) -> bool {
    coding_quality(accept_encoding, coding).is_some_and(|q| q > 0.0)
}

/// The weight `accept_encoding` gives `coding`: its own member, else `*`; `None` when neither
/// names it.
fn coding_quality(accept_encoding: &str, coding: &str) -> Option<f32> {
    let mut own = None;
    let mut any = None;
    for (c, q) in ranges(accept_encoding) {
        if c == coding {
            own = Some(q);
        } else if c == "*" {
            any = Some(q);
        }
    }
    own.or(any)
}

/// Whether to send `coding` rather than the identity body (RFC 9110 §12.5.3, by the weights):
/// the coding is acceptable (a weight above 0, [`accepts_coding`]) and weighs at least as much
/// as `identity` (its own member, else `*`; unnamed, it yields to any acceptable coding). When
/// neither is acceptable (`gzip;q=0, identity;q=0`, `*;q=0`) the identity body is sent, as
/// §12.5.3 says a server ought to: a coding with weight 0 is never used.
pub fn chooses_coding(accept_encoding: &str, coding: &str) -> bool {
    let Some(q) = coding_quality(accept_encoding, coding).filter(|q| *q > 0.0) else {
        return false;
    };
    coding_quality(accept_encoding, "identity").is_none_or(|identity| q >= identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERS: &[&str] = &["application/json", "text/html"];

    #[test]
    fn the_most_specific_range_gives_the_weight_and_q0_refuses() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(preferred(Some(browser), OFFERS), Some("text/html"));
        assert_eq!(
            preferred(Some("*/*"), OFFERS),
            Some("application/json"),
            "a tie: our order"
        );
        assert_eq!(preferred(None, OFFERS), Some("application/json"));
        assert_eq!(preferred(Some(""), OFFERS), Some("application/json"));
        assert_eq!(
            preferred(Some("text/html;q=0, application/json"), OFFERS),
            Some("application/json")
        );
        assert_eq!(preferred(Some("text/html;q=0, */*"), OFFERS), Some("application/json"));
        assert_eq!(preferred(Some("text/html; q=0.000"), OFFERS), None);
        assert_eq!(preferred(Some("application/json;q=0, */*"), OFFERS), Some("text/html"));
        assert_eq!(
            preferred(Some("text/*;q=0.5, application/json;q=0.4"), OFFERS),
            Some("text/html")
        );
        assert_eq!(
            preferred(Some("TEXT/HTML;Q=0.2, application/*;q=0.1"), OFFERS),
            Some("text/html")
        );
        assert_eq!(preferred(Some("image/png"), OFFERS), None);
        assert_eq!(
            preferred(Some("text/*, text/html;q=0"), OFFERS),
            None,
            "text/html's own range decides"
        );
        // A malformed weight drops its member only.
        assert_eq!(
            preferred(Some("text/html;q=2, application/json"), OFFERS),
            Some("application/json")
        );
    }

    #[test]
    fn codings_by_their_own_member_then_the_wildcard() {
        assert!(accepts_coding("gzip, br", "gzip"));
        assert!(accepts_coding("*", "gzip"));
        assert!(!accepts_coding("gzip;q=0", "gzip"));
        assert!(!accepts_coding("gzip; q=0.0, br", "gzip"));
        assert!(!accepts_coding("*;q=1, gzip;q=0", "gzip"), "its own member decides");
        assert!(accepts_coding("*;q=0, gzip;q=0.5", "gzip"));
        assert!(!accepts_coding("*;q=0", "gzip"));
        assert!(!accepts_coding("br, identity", "gzip"));
        assert!(accepts_coding("GZIP", "gzip"));
    }

    #[test]
    fn the_heaviest_coding_is_chosen_and_q0_never_used() {
        assert!(chooses_coding("gzip", "gzip"));
        assert!(chooses_coding("br;q=1, gzip;q=0.5", "gzip"), "br is not offered");
        assert!(!chooses_coding("gzip;q=0, identity", "gzip"));
        assert!(!chooses_coding("*;q=0", "gzip"));
        assert!(
            !chooses_coding("*;q=0, identity;q=0", "gzip"),
            "nothing acceptable: identity"
        );
        assert!(!chooses_coding("gzip;q=0, identity;q=0", "gzip"));
        assert!(!chooses_coding("gzip;q=0.5, identity", "gzip"), "identity weighs more");
        assert!(chooses_coding("gzip, identity;q=0.5", "gzip"));
        assert!(
            chooses_coding("gzip;q=0.5, identity;q=0.5", "gzip"),
            "a tie: the coding"
        );
        assert!(chooses_coding("*", "gzip"));
        assert!(chooses_coding("*;q=0.3, identity;q=0.2", "gzip"));
        assert!(!chooses_coding("identity", "gzip"));
        assert!(!chooses_coding("", "gzip"));
        assert!(chooses_coding("gzip;q=0.001", "gzip"));
    }
}
