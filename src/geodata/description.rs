//! A source's description (`sources/<name>/source.json`, written by `PUT /v1/sources/{name}`):
//! the checks of its time zone, licence, attribution and URL, shared by the loader and the
//! HTTP handler so that a description refused over HTTP would be refused at load and the other
//! way round; and what a source's `.history/` says about its revisions (the dates replaced, and
//! the content current at an instant, for `known_at=`).

use crate::store::SourceConfig;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The longest licence, attribution or description accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A member of a description that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct DescriptionError {
    /// The member (`time_zone`, `licence`, `attribution`, `url`, `description`).
    pub field: &'static str,
    /// What is wrong and what is accepted.
    pub why: String,
}

fn bad(field: &'static str, why: impl Into<String>) -> DescriptionError {
    DescriptionError { field, why: why.into() }
}

/// A text member: not blank, no control characters (it goes into CSV headers), at most
/// [`MAX_TEXT_CHARS`]; `required` refuses it absent.
fn check_text(field: &'static str, value: Option<&str>, required: bool) -> Result<(), DescriptionError> {
    match value {
        None if required => Err(bad(
            field,
            format!(
                "{field} is required: the terms under which the source's data may be used, shown with every answer"
            ),
        )),
        None => Ok(()),
        Some(v) if v.trim().is_empty() => Err(bad(field, format!("{field} is empty"))),
        Some(v) if v.chars().any(char::is_control) => Err(bad(
            field,
            format!("{field} contains a control character (a line break, a tab...)"),
        )),
        Some(v) if let Some(c) = v.chars().find(|c| is_format_char(*c)) => Err(bad(
            field,
            format!(
                "{field} contains the invisible format character U+{:04X} (a bidirectional control, zero-width character or the like): it can make the text read otherwise than it is; remove it",
                c as u32
            ),
        )),
        Some(v) if v.chars().count() > MAX_TEXT_CHARS => Err(bad(
            field,
            format!("{field} is longer than {MAX_TEXT_CHARS} characters"),
        )),
        Some(_) => Ok(()),
    }
}

/// Whether `c` is of Unicode's general category Cf (format): bidirectional controls (U+202A to
/// U+202E, U+2066 to U+2069), zero-width characters (U+200B to U+200D, U+2060), the byte order
/// mark, soft hyphen, tags... Invisible, they make a text show otherwise than it reads (a
/// licence reversed on screen, a name that looks like another). The category is the
/// `unicode-properties` crate's (its Unicode version, [`unicode_properties::UNICODE_VERSION`]).
pub fn is_format_char(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// A name member (`border`, a baseline): no invisible format character ([`is_format_char`]).
fn check_name(field: &'static str, value: &str) -> Result<(), DescriptionError> {
    match value.chars().find(|c| is_format_char(*c) || c.is_control()) {
        Some(c) => Err(bad(
            field,
            format!(
                "{field} contains the invisible character U+{:04X}: a name must read as it shows; remove it",
                c as u32
            ),
        )),
        None => Ok(()),
    }
}

/// `url` as it may be shown in a message: what stands before an `@` in its authority (a user
/// name and password) replaced by `***`, so that a refusal never echoes a password.
fn shown_url(u: &str) -> String {
    let Some((scheme, rest)) = u.split_once("://") else {
        return u.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => u.to_string(),
    }
}

/// Checks the time zone (an IANA name), licence and attribution (required when `required`, as
/// over HTTP: not blank, no control characters), the URL (absolute http or https with a host)
/// and the free-text description.
///
/// # Errors
/// The first member at fault, named, with why.
pub fn check_terms(config: &SourceConfig, required: bool) -> Result<(), DescriptionError> {
    if let Some(tz) = &config.time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(bad(
            "time_zone",
            format!("time_zone '{tz}' is not an IANA time zone name (such as Europe/Kyiv or UTC)"),
        ));
    }
    // Every list member names each item once (as `sources=` on the routes): a baseline named
    // twice was listed twice in every answer.
    if let Some(twice) = named_twice(&config.baselines) {
        return Err(bad(
            "baselines",
            format!("baseline '{twice}' is named twice: name each baseline once"),
        ));
    }
    if let Some(twice) = config.classes.as_deref().and_then(named_twice) {
        let shown = serde_json::to_value(twice)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{twice:?}"));
        return Err(bad(
            "classes",
            format!("class '{shown}' is named twice: name each class once"),
        ));
    }
    if let Some(b) = &config.border {
        check_name("border", b)?;
    }
    for b in &config.baselines {
        check_name("baselines", b)?;
    }
    check_text("licence", config.licence.as_deref(), required)?;
    check_text("attribution", config.attribution.as_deref(), required)?;
    check_text("description", config.description.as_deref(), false)?;
    if let Some(u) = &config.url {
        check_name("url", u)?;
        // The URL parser reqwest re-exports (the `url` crate), not a hand-written check.
        let parsed = reqwest::Url::parse(u);
        // Credentials in a URL shown with every answer would publish them: refused, and never
        // echoed (the URL is shown without them).
        let credentials = match &parsed {
            Ok(p) => !p.username().is_empty() || p.password().is_some(),
            Err(_) => shown_url(u) != u.as_str(),
        };
        if credentials {
            return Err(bad(
                "url",
                format!(
                    "url '{}' carries credentials (a user name or password before '@'): give the source's public URL without them",
                    shown_url(u)
                ),
            ));
        }
        let u = &shown_url(u);
        match parsed {
            Ok(p) if matches!(p.scheme(), "http" | "https") && p.host_str().is_some_and(|h| !h.is_empty()) => {}
            Ok(p) => {
                return Err(bad(
                    "url",
                    format!(
                        "url '{u}' must be an absolute http or https URL with a host (scheme '{}')",
                        p.scheme()
                    ),
                ));
            }
            Err(e) => return Err(bad("url", format!("url '{u}' is not a URL: {e}"))),
        }
    }
    Ok(())
}

/// The first item of a list named a second time.
fn named_twice<T: PartialEq>(items: &[T]) -> Option<&T> {
    items
        .iter()
        .enumerate()
        .find_map(|(i, x)| items[..i].contains(x).then_some(x))
}

/// One earlier content of a file of a source, kept in `.history/` when it was replaced: a
/// snapshot file, a publication or the description (`source.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The slot it was kept from: the name of the file it replaced, without its extension
    /// (`YYYY-MM-DD` for a dated snapshot file, `YYYYMMDDTHHMMSS[.fff]Z[-<content>]` for a publication,
    /// `source` for the description).
    pub slot: String,
    /// When it was replaced (from its name, `<slot>.<ns>.<ext>`).
    pub replaced_at: DateTime<Utc>,
    /// The kept file.
    pub file: PathBuf,
}

/// The extension of snapshot and publication files (and of their kept copies).
const SNAPSHOT_EXT: &str = "geojson";
/// The slot of a source's description.
pub const DESCRIPTION_SLOT: &str = "source";

/// Parses `<slot>.<ns>.<ext>`, the name [`crate::store::WriterLock::keep`] gives a kept copy.
pub fn revision_of(path: &Path) -> Option<Revision> {
    let name = path.file_name()?.to_str()?;
    let (rest, _ext) = name.rsplit_once('.')?;
    let (slot, ns) = rest.rsplit_once('.')?;
    let ns: i64 = ns.parse().ok()?;
    (!slot.is_empty()).then(|| Revision {
        slot: slot.to_string(),
        replaced_at: DateTime::from_timestamp_nanos(ns),
        file: path.to_path_buf(),
    })
}

/// The contents kept in a source's `.history/` directory (snapshots, publications and
/// descriptions), by slot then by the instant they were replaced (none when it does not exist).
pub fn revisions(history: &Path) -> Vec<Revision> {
    let mut out: Vec<Revision> = std::fs::read_dir(history)
        .map(|rd| rd.flatten().filter_map(|e| revision_of(&e.path())).collect())
        .unwrap_or_default();
    out.sort_by(|a, b| a.slot.cmp(&b.slot).then(a.replaced_at.cmp(&b.replaced_at)));
    out
}

/// The slot of a snapshot or publication file (its name without `.geojson`): where a kept
/// copy of its earlier content is found ([`Revision::slot`]).
pub fn slot_of(file: &str) -> Option<&str> {
    Path::new(file)
        .file_name()?
        .to_str()?
        .strip_suffix(SNAPSHOT_EXT)?
        .strip_suffix('.')
}

/// Which contents of a source are revisions (replaced an earlier content of their slot), as its
/// `.history/` says: a snapshot file or a publication whose slot has a kept copy, and a day
/// whose snapshot without an instant was replaced by a publication (its dated slot has a kept
/// copy and no file any more). Answers that use such a content say `revised: true`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revised {
    slots: BTreeSet<String>,
}

impl Revised {
    /// What the kept snapshot contents in `history` say.
    pub fn read(history: &Path) -> Revised {
        Revised::of(&revisions(history), None)
    }

    /// What the kept snapshot contents replaced by instant `until` say (all with `None`).
    pub fn of(revisions: &[Revision], until: Option<DateTime<Utc>>) -> Revised {
        Revised {
            slots: revisions
                .iter()
                .filter(|r| r.slot != DESCRIPTION_SLOT && until.is_none_or(|t| r.replaced_at <= t))
                .map(|r| r.slot.clone())
                .collect(),
        }
    }

    /// Adds the slot of a copy just kept (`.history/<slot>.<ns>.geojson`).
    pub fn insert_kept(&mut self, kept: &Path) {
        if let Some(r) = revision_of(kept).filter(|r| r.slot != DESCRIPTION_SLOT) {
            self.slots.insert(r.slot);
        }
    }

    /// Whether this content (a snapshot file or a publication) replaced an earlier one of its
    /// slot.
    pub fn content(&self, s: &super::Snapshot) -> bool {
        !self.slots.is_empty() && slot_of(&s.provenance.file).is_some_and(|x| self.slots.contains(x))
    }

    /// Whether the snapshot `s` of its date (a day's snapshot, not a publication superseded
    /// within its day) replaced an earlier content: its own slot's, or the dated file of its
    /// day that a publication replaced.
    pub fn day(&self, s: &super::Snapshot) -> bool {
        self.content(s) || (!self.slots.is_empty() && self.slots.contains(&s.date.to_string()))
    }

    /// Whether nothing was revised.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// The time a file was last written, which for a file of the store (written whole, its
/// modification time set when its content was complete, then renamed into place) is when its
/// content became current; a kept copy in `.history/` is a hard link to it (or a copy given its
/// time), so it keeps that time.
pub fn written_at(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from)
}

/// What a slot held at instant `t` (see [`content_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtInstant {
    /// The current content (and whether it had replaced an earlier one by then).
    Current {
        /// It had replaced another.
        revised: bool,
    },
    /// An earlier content, kept in `.history/`.
    Earlier {
        /// The kept file.
        file: PathBuf,
        /// It had itself replaced another by then.
        revised: bool,
    },
    /// Nothing was in the slot at `t`.
    Absent,
}

/// Which content of a slot was current at `t`, given its current file (`None` when the slot's
/// file is gone: a dated file replaced by a publication) and its kept contents in the order
/// they were replaced. Each content was current from when it was written (its file's time, or
/// the instant the content before it was replaced, whichever is later) until it was replaced.
pub fn content_at(current: Option<&Path>, revisions: &[&Revision], t: DateTime<Utc>) -> AtInstant {
    let mut previous_end: Option<DateTime<Utc>> = None;
    let began = |file: &Path, previous_end: Option<DateTime<Utc>>| written_at(file).max(previous_end);
    for (i, r) in revisions.iter().enumerate() {
        if t < r.replaced_at {
            return if began(&r.file, previous_end).is_some_and(|w| t < w) {
                AtInstant::Absent
            } else {
                AtInstant::Earlier {
                    file: r.file.clone(),
                    revised: i > 0,
                }
            };
        }
        previous_end = Some(r.replaced_at);
    }
    match current {
        Some(c) if began(c, previous_end).is_none_or(|w| t >= w) => AtInstant::Current {
            revised: !revisions.is_empty(),
        },
        _ => AtInstant::Absent,
    }
}

/// The description (`source.json`) a source had at `t`: [`content_at`] of the `source` slot.
pub fn description_at(source_dir: &Path, t: DateTime<Utc>) -> AtInstant {
    let kept = revisions(&source_dir.join(crate::store::HISTORY_DIR));
    let of_slot: Vec<&Revision> = kept.iter().filter(|r| r.slot == DESCRIPTION_SLOT).collect();
    let current = source_dir.join(crate::store::SOURCE_CONFIG);
    content_at(current.is_file().then_some(current.as_path()), &of_slot, t)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The crate's category Cf holds every range of the table it replaced (Unicode 15.1's), the
    /// first and last of each, and the characters around them are not format characters.
    #[test]
    fn format_characters_are_unicodes_category_cf() {
        let table: [(u32, u32); 21] = [
            (0xad, 0xad),
            (0x600, 0x605),
            (0x61c, 0x61c),
            (0x6dd, 0x6dd),
            (0x70f, 0x70f),
            (0x890, 0x891),
            (0x8e2, 0x8e2),
            (0x180e, 0x180e),
            (0x200b, 0x200f),
            (0x202a, 0x202e),
            (0x2060, 0x2064),
            (0x2066, 0x206f),
            (0xfeff, 0xfeff),
            (0xfff9, 0xfffb),
            (0x110bd, 0x110bd),
            (0x110cd, 0x110cd),
            (0x13430, 0x1343f),
            (0x1bca0, 0x1bca3),
            (0x1d173, 0x1d17a),
            (0xe0001, 0xe0001),
            (0xe0020, 0xe007f),
        ];
        let ch = |u: u32| char::from_u32(u).unwrap();
        for (lo, hi) in table {
            for u in [lo, hi, (lo + hi) / 2] {
                assert!(is_format_char(ch(u)), "U+{u:04X}");
            }
            // Neighbours that are not in a range of the table (U+2065 is unassigned).
            for u in [lo - 1, hi + 1] {
                if !table.iter().any(|(a, b)| (*a..=*b).contains(&u)) {
                    assert!(!is_format_char(ch(u)), "U+{u:04X}");
                }
            }
        }
        for c in ['a', ' ', '\u{a0}', '\u{2028}', '\n', 'ї', '\u{1f600}'] {
            assert!(!is_format_char(c), "U+{:04X}", c as u32);
        }
    }

    /// Issue 13 (fresh tester, F4): text holding a bidirectional control or another invisible
    /// format character, and a URL with credentials, were accepted. Refused, naming the field
    /// and the character; the password is never echoed.
    #[test]
    fn format_characters_and_credentials_are_refused_naming_the_field() {
        let ok = SourceConfig {
            licence: Some("CC BY 4.0".into()),
            attribution: Some("© Example".into()),
            ..SourceConfig::default()
        };
        for (c, code) in [('\u{202e}', "U+202E"), ('\u{200b}', "U+200B"), ('\u{2066}', "U+2066")] {
            for field in ["licence", "attribution", "description"] {
                let mut config = ok.clone();
                let text = Some(format!("CC{c}BY"));
                match field {
                    "licence" => config.licence = text,
                    "attribution" => config.attribution = text,
                    _ => config.description = text,
                }
                let e = check_terms(&config, true).unwrap_err();
                assert_eq!(e.field, field);
                assert!(e.why.contains(code), "{e}");
            }
            let e = check_terms(
                &SourceConfig {
                    baselines: vec![format!("crimea{c}")],
                    ..ok.clone()
                },
                true,
            )
            .unwrap_err();
            assert_eq!((e.field, e.why.contains(code)), ("baselines", true), "{e}");
        }
        for url in [
            "https://user:s3cret@example.org/",
            "https://user@example.org/",
            "https://u:s3cret@/x",
        ] {
            let e = check_terms(
                &SourceConfig {
                    url: Some(url.into()),
                    ..ok.clone()
                },
                true,
            )
            .unwrap_err();
            assert_eq!(e.field, "url");
            assert!(e.why.contains("carries credentials"), "{e}");
            assert!(
                !e.why.contains("s3cret") && !e.why.contains("user@") && !e.why.contains("user:"),
                "{e}"
            );
        }
        // An `@` in the path is not a credential.
        let at_in_path = SourceConfig {
            url: Some("https://example.org/@map".into()),
            ..ok.clone()
        };
        assert_eq!(check_terms(&at_in_path, true), Ok(()));
    }

    #[test]
    fn each_member_is_checked_and_named() {
        let ok = SourceConfig {
            licence: Some("CC BY 4.0".into()),
            attribution: Some("© Example".into()),
            url: Some("https://example.org/map".into()),
            time_zone: Some("Europe/Kyiv".into()),
            ..SourceConfig::default()
        };
        assert_eq!(check_terms(&ok, true), Ok(()));
        let field = |f: &dyn Fn(&mut SourceConfig)| {
            let mut c = ok.clone();
            f(&mut c);
            check_terms(&c, true).unwrap_err().field
        };
        assert_eq!(field(&|c| c.time_zone = Some("Europe/Kiev2".into())), "time_zone");
        assert_eq!(field(&|c| c.licence = Some("  ".into())), "licence");
        assert_eq!(field(&|c| c.licence = None), "licence");
        assert_eq!(field(&|c| c.attribution = Some("a\nb".into())), "attribution");
        assert_eq!(field(&|c| c.url = Some("not a url".into())), "url");
        assert_eq!(field(&|c| c.url = Some("ftp://example.org/".into())), "url");
        assert_eq!(field(&|c| c.url = Some("file:///etc/passwd".into())), "url");
        assert_eq!(
            field(&|c| c.description = Some("x".repeat(MAX_TEXT_CHARS + 1))),
            "description"
        );
        // At load, licence and attribution may be absent (sources made before descriptions).
        assert_eq!(check_terms(&SourceConfig::default(), false), Ok(()));
        // A list member names each item once.
        assert_eq!(
            field(&|c| c.baselines = vec!["crimea".into(), "crimea".into()]),
            "baselines"
        );
        let e = check_terms(
            &SourceConfig {
                baselines: vec!["crimea".into(), "minsk".into(), "crimea".into()],
                ..ok.clone()
            },
            true,
        )
        .unwrap_err();
        assert_eq!(e.why, "baseline 'crimea' is named twice: name each baseline once");
        assert_eq!(
            field(&|c| c.classes = Some(vec![
                crate::model::DrawnClass::Occupied,
                crate::model::DrawnClass::Occupied
            ])),
            "classes"
        );
        let distinct = SourceConfig {
            baselines: vec!["crimea".into(), "minsk".into()],
            ..ok.clone()
        };
        assert_eq!(check_terms(&distinct, true), Ok(()));
    }

    #[test]
    fn the_content_of_a_slot_at_an_instant_follows_its_kept_copies() {
        let dir = tempfile::tempdir().unwrap();
        let ns = |t: i64| DateTime::from_timestamp_nanos(t);
        // A file written at `written` (seconds since the epoch).
        let file = |n: &str, written: i64| {
            let p = dir.path().join(n);
            std::fs::write(&p, n).unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(written as u64))
                .unwrap();
            p
        };
        // 2024-06-01: written at 100 s, replaced at 200 s, replaced again at 300 s; the current
        // content's file stamped 299 s (a coarse clock behind the instant it replaced the one
        // before): it counts from 300 s.
        let a = file("2024-06-01.200000000000.geojson", 100);
        let b = file("2024-06-01.300000000000.geojson", 150);
        let current = file("2024-06-01.geojson", 299);
        // A publication's slot, and the description's.
        file("20240601T100000Z.250000000000.geojson", 120);
        file("source.400000000000.json", 50);
        let kept = revisions(dir.path());
        assert_eq!(kept.len(), 4);
        let of = |slot: &str| -> Vec<&Revision> { kept.iter().filter(|r| r.slot == slot).collect() };
        let day = of("2024-06-01");
        assert_eq!(day.len(), 2);
        let at = |t: i64| content_at(Some(&current), &day, ns(t * 1_000_000_000));
        assert_eq!(at(99), AtInstant::Absent);
        assert_eq!(
            at(100),
            AtInstant::Earlier {
                file: a.clone(),
                revised: false
            }
        );
        assert_eq!(
            at(199),
            AtInstant::Earlier {
                file: a.clone(),
                revised: false
            }
        );
        assert_eq!(
            at(200),
            AtInstant::Earlier {
                file: b.clone(),
                revised: true
            }
        );
        assert_eq!(
            at(299),
            AtInstant::Earlier {
                file: b.clone(),
                revised: true
            }
        );
        assert_eq!(at(300), AtInstant::Current { revised: true });
        // A slot whose file is gone: its last content until it was replaced, then nothing.
        let publication = of("20240601T100000Z");
        let gone = |t: i64| content_at(None, &publication, ns(t * 1_000_000_000));
        assert_eq!(gone(119), AtInstant::Absent);
        assert!(matches!(gone(120), AtInstant::Earlier { revised: false, .. }));
        assert_eq!(gone(250), AtInstant::Absent);
        // A file written later than the content it replaced (removed, then written again):
        // nothing between.
        let late = file("2024-06-01.late.geojson", 500);
        assert_eq!(
            content_at(Some(&late), &day, ns(400 * 1_000_000_000)),
            AtInstant::Absent
        );
        // Which contents are revisions: a slot with a kept copy; the description is not a
        // snapshot's slot.
        let revised = Revised::of(&kept, None);
        let snap = |file: &str, date: &str| super::super::Snapshot {
            source: "s".into(),
            date: date.parse().unwrap(),
            synthetic: true,
            features: Vec::new(),
            published: None,
            published_at: None,
            provenance: crate::model::Provenance {
                file: file.into(),
                sha256: String::new(),
                origin: None,
            },
            content_sha256: String::new(),
        };
        assert!(revised.content(&snap("sources/s/2024-06-01.geojson", "2024-06-01")));
        assert!(revised.content(&snap("sources/s/publications/20240601T100000Z.geojson", "2024-06-01")));
        assert!(!revised.content(&snap("sources/s/publications/20240601T110000Z.geojson", "2024-06-01")));
        // A day's snapshot is revised when its day's dated file was replaced (by a publication).
        assert!(revised.day(&snap("sources/s/publications/20240601T110000Z.geojson", "2024-06-01")));
        assert!(!revised.content(&snap("sources/s/source.json", "2024-06-01")));
        // Until an instant: only the copies kept by then.
        let then = Revised::of(&kept, Some(ns(210 * 1_000_000_000)));
        assert!(then.content(&snap("sources/s/2024-06-01.geojson", "2024-06-01")));
        assert!(!then.content(&snap("sources/s/publications/20240601T100000Z.geojson", "2024-06-01")));
    }
}
