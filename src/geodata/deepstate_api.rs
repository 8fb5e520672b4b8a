//! Reading DeepStateMap's own publications (the FeatureCollection its public API serves, several
//! times a day: `<publication time, UTC unix seconds>.geojson[.gz]`) as snapshots.
//!
//! A publication mixes areas of several kinds with points (units, airfields, directions) and
//! commentary drawn outside Ukraine. Every Polygon, every Polygon of a MultiPolygon and every
//! Polygon inside a GeometryCollection at any depth is given one [`AreaClass`] on its own (where
//! it is drawn decides `foreign` polygon by polygon) from, in this order of trust:
//! 1. the **name**: read part by part (the texts between `///` or `//`, or the whole name where
//!    it has no separator), every part with the English and the Ukrainian keyword tables below
//!    (whole words); its first English part whose words tell a class decides, else its first
//!    part in any language that does; where that part holds the words of several classes,
//!    [`NAME_PRECEDENCE`] decides (places outside Ukraine, then the grey zone, liberated areas,
//!    the areas held before 2022, occupied areas);
//! 2. the **style key**: the colour named in `styleUrl` (`#poly-A52714-1200-77`), where present;
//! 3. the **fill** colour.
//!
//! `foreign` is about where an area is drawn: an area any clue calls foreign but drawn inside
//! the border (more than half of its area) is decided by the other clues. Every disagreement
//! between clues (that one, words of a name that exclude each other, parts of a name in
//! different languages that say different statuses, the name against the key or the fill, the
//! key against the fill) is decided by this order and counted in the report
//! ([`ClueConflict`]), never silently.
//!
//! A name none of whose words tells a class (or no name) is a conflict of its own
//! ([`ConflictKind::NameNotRead`], counted), whatever the other clues then decide; so is a
//! status the name negates in words the tables do not hold as a phrase (`Not yet liberated`:
//! [`ConflictKind::NameNegated`]): the name is never read as saying the opposite of its words.
//! A polygon none of them classifies is `unknown`: reported with its name and colours, never
//! mapped to a status. Points and lines are dropped (counted); the third coordinate of every
//! position is dropped (counted). The areas of each class that carries a
//! status (`occupied_before_2022`, `occupied_since_2022`: occupied; `contested`) are united
//! (nonzero rule: overlapping and self-crossing polygons of one class become one area; a
//! polygon that is not valid alone is a repair, listed) and clipped to the border, every vertex
//! that is not a crossing keeping its input coordinates bit for bit, and kept as one feature
//! per class with `properties.class`, so that policies can name "occupied before 2022".
//! `liberated` and `foreign` areas are dropped and counted. What was dropped, repaired or
//! unknown is tallied per class and reason ([`Tally`]); every repair is also listed in the
//! report and the stored file (`repairs`), as other importers list theirs.
//!
//! The publication instant is the document's `published_at` (RFC 3339) where it has one, else the
//! file name's UTC unix seconds; the snapshot's date is that instant's date in the source's time
//! zone (default [`DEFAULT_TIME_ZONE`], Europe/Kyiv): the state in force at the end of a day is
//! its last publication.

use super::geometry::{normalize_orientation, read_areal_members_unvalidated, read_areal_unvalidated};
use super::report::{Report, Scope};
use super::{
    ControlFeature, FeatureProblem, FileProblem, Finding, FindingKind, Snapshot, content_sha256, parse_json, read_bytes,
};
use crate::coverage::{OverlayRule, overlay};
use crate::index::PolygonIndex;
use crate::model::{ControlStatus, Provenance};
use chrono::{DateTime, Utc};
use geo::{MultiPolygon, Polygon};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The time zone a source's dates are read in unless its settings name another.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Kyiv;

/// What an area of a DeepState publication says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaClass {
    /// Held by Russia before 24 February 2022: Crimea (with Tuzla island), the parts of Donetsk
    /// and Luhansk oblasts held since 2014 ("CADR and CALR", ОРДЛО).
    #[serde(rename = "occupied_before_2022")]
    OccupiedBefore2022,
    /// Occupied since 24 February 2022.
    #[serde(rename = "occupied_since_2022")]
    OccupiedSince2022,
    /// The grey zone: contested, unknown status, under question.
    Contested,
    /// Liberated, taken back: not occupied (dropped).
    Liberated,
    /// Drawn outside Ukraine as commentary (Transnistria, Abkhazia, Karelia, ...): not control of
    /// Ukrainian territory (dropped).
    Foreign,
}

impl AreaClass {
    /// The name used in files, reports and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaClass::OccupiedBefore2022 => "occupied_before_2022",
            AreaClass::OccupiedSince2022 => "occupied_since_2022",
            AreaClass::Contested => "contested",
            AreaClass::Liberated => "liberated",
            AreaClass::Foreign => "foreign",
        }
    }

    /// The status its areas take, `None` for the classes that are dropped.
    pub fn status(self) -> Option<ControlStatus> {
        match self {
            AreaClass::OccupiedBefore2022 | AreaClass::OccupiedSince2022 => Some(ControlStatus::Occupied),
            AreaClass::Contested => Some(ControlStatus::Contested),
            AreaClass::Liberated | AreaClass::Foreign => None,
        }
    }
}

/// Which clue decided a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clue {
    /// The name (English part, or Ukrainian where there is none).
    Name,
    /// The colour of the `styleUrl` key.
    Key,
    /// The fill colour.
    Fill,
}

impl Clue {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Clue::Name => "name",
            Clue::Key => "key",
            Clue::Fill => "fill",
        }
    }
}

/// English keywords, matched as whole words (a keyword ending in `*` is a stem: the start of a
/// word, "Crimean", "Kurils"), never inside another word ("salla" is not found in
/// "vassalla", "captured" not in "recaptured"). Which class a name gives when it holds the
/// words of several is [`NAME_PRECEDENCE`]'s order. Every part of a name is read with both
/// tables (this one and [`UKRAINIAN`]), whatever its language.
const ENGLISH: &[(AreaClass, &[&str])] = &[
    (
        AreaClass::Foreign,
        &[
            "transnistria*",
            "abkhazia*",
            "karelia*",
            "petsamo",
            "salla",
            "pechorsk*",
            "saaste",
            "kuril*",
            "estonia*",
            "latvia*",
            "tskhinval*",
            "ossetia*",
            "prussia*",
            "kaliningrad*",
            "ichkeria*",
            "chechnya*",
            "wagner*",
        ],
    ),
    (
        AreaClass::OccupiedBefore2022,
        &[
            "crimea*",
            "sevastopol*",
            "tuzla",
            "cadr",
            "calr",
            "ordlo",
            "ordo",
            "orlo",
            "dpr",
            "lpr",
            "certain areas of donetsk*",
            "certain areas of luhansk*",
            "occupied since 2014",
            "occupied before 2022",
            "held since 2014",
            "held before 2022",
        ],
    ),
    (
        AreaClass::Contested,
        &[
            "unknown",
            "contested",
            "contensed",
            "contenesed",
            "disputed",
            "uncertain",
            "unclear",
            "in doubt",
            "under question",
            "no information",
            "no info",
            "needs clarification",
            "to be clarified",
            "gray area",
            "grey area",
            "grey zone",
            "gray zone",
        ],
    ),
    (
        AreaClass::Liberated,
        &[
            "liberated",
            "liberation",
            "freed",
            "taken back",
            "recaptured",
            "retaken",
            "regained",
            "reclaimed",
            "pushed back",
            "under ukrainian control",
            "controlled by ukraine",
            "controlled by the armed forces of ukraine",
            // Negations of occupation: each holds "occupied", "occupation" or "captured".
            "not occupied",
            "not under occupation",
            "no longer occupied",
            "no longer under occupation",
            "no occupation",
            "unoccupied",
            "de-occupied",
            "deoccupied",
            "de-occupation",
            "deoccupation",
            "free from occupation",
            "freed from occupation",
            "liberated from occupation",
            "not captured",
            "no longer captured",
        ],
    ),
    (
        AreaClass::OccupiedSince2022,
        &[
            "occupied",
            "occupation*",
            "captured",
            "seized",
            "annexed",
            "under russian control",
            "controlled by russia",
            "held by russia",
            "controlled by the enemy",
            "held by the enemy",
            "under enemy control",
        ],
    ),
];

/// Ukrainian keywords: stems, matched at the start of a word ("окупов" is not found in
/// "деокупована"), in every part of a name as [`ENGLISH`] is.
const UKRAINIAN: &[(AreaClass, &[&str])] = &[
    (
        AreaClass::Foreign,
        &[
            "придністров*",
            "абхаз*",
            "карел*",
            "петсамо*",
            "салла",
            "печорськ*",
            "саатсе*",
            "курил*",
            "естон*",
            "латві*",
            "цхінвал*",
            "осеті*",
            "прусі*",
            "пруссі*",
            "калінінград*",
            "ічкері*",
            "чечн*",
            "вагнер*",
        ],
    ),
    (
        AreaClass::OccupiedBefore2022,
        &[
            "крим*",
            "севастопол*",
            "тузл*",
            "ордло*",
            "ордо",
            "орло",
            "днр",
            "лнр",
            "окремі райони*",
            "окремих районів*",
            "окуповані з 2014*",
            "окуповано з 2014*",
            "окуповані до 2022*",
            "окуповано до 2022*",
        ],
    ),
    (
        AreaClass::Contested,
        &[
            "під питанням*",
            "невідом*",
            "сіра зона*",
            "сірої зони*",
            "сірій зоні*",
            "сіру зону*",
            "спірн*",
            "невизначен*",
            "немає інфо*",
            "треба уточнення*",
            "потребує уточнення*",
            "уточнюється*",
        ],
    ),
    (
        AreaClass::Liberated,
        &[
            "звільн*",
            "відбит*",
            "повернуто*",
            "під контролем зсу*",
            "під контролем україни*",
            "контролюється зсу*",
            "відкинуто*",
            "орки відсутні*",
            // Negations of occupation, which hold "окупов".
            "не окупов*",
            "деокупов*",
        ],
    ),
    (
        AreaClass::OccupiedSince2022,
        &[
            "окупов*",
            "окупаці*",
            "зайняті ворогом*",
            "захоплен*",
            "анексован*",
            "аннексован*",
            "під контролем ворога*",
            "під контролем рф*",
            "під контролем росії*",
            "контролюється ворогом*",
        ],
    ),
];

/// The order in which the classes of a name's words decide: a place outside Ukraine first
/// (`Occupied Abkhazia`; it stands only where the area is drawn outside the border), then the
/// statuses that are not occupation (the grey zone, then liberation and the negations of
/// occupation: `Liberated Crimea`, `Unknown status near Tuzla`), then the places held before
/// 2022 (`Occupied Crimea`), then occupation. A status word with a place held before 2022, or
/// the grey zone with liberation, is a conflict of the name's words: decided by this order and
/// reported ([`ConflictKind::NameWords`]).
pub const NAME_PRECEDENCE: [AreaClass; 5] = [
    AreaClass::Foreign,
    AreaClass::Contested,
    AreaClass::Liberated,
    AreaClass::OccupiedBefore2022,
    AreaClass::OccupiedSince2022,
];

/// The class of a fill colour (lowercase `#rrggbb`). `#880e4f` drew both the areas held before
/// 2022 and Transnistria: alone it decides nothing.
fn class_of_colour(colour: &str) -> Option<AreaClass> {
    match colour.to_ascii_lowercase().as_str() {
        "#a52714" => Some(AreaClass::OccupiedSince2022),
        "#000000" => Some(AreaClass::OccupiedBefore2022),
        "#bcaaa4" | "#bdbdbd" | "#757575" => Some(AreaClass::Contested),
        "#0f9d58" | "#0288d1" | "#0097a7" => Some(AreaClass::Liberated),
        "#ff5252" | "#ce93d8" => Some(AreaClass::Foreign),
        _ => None,
    }
}

/// Where `text` (lowercase) holds `keyword` as whole words (a keyword ending in `*`: at the
/// start of a word): the byte spans of its matches. A word ends where letters do: a number
/// written against it is not part of it (`Taken back16.04`, as published, is "taken back").
fn word_spans<'t>(text: &'t str, keyword: &'t str) -> impl Iterator<Item = (usize, usize)> + 't {
    let (word, stem) = match keyword.strip_suffix('*') {
        Some(w) => (w, true),
        None => (keyword, false),
    };
    text.match_indices(word).filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        (!before.is_some_and(char::is_alphabetic) && (stem || !after.is_some_and(char::is_alphabetic)))
            .then_some((at, at + word.len()))
    })
}

/// The classes whose words `text` holds, in [`NAME_PRECEDENCE`] order, read with both keyword
/// tables ([`ENGLISH`] and [`UKRAINIAN`]), every run of white space (a no-break space, a line
/// break) taken as one space. A keyword found only inside a longer keyword of another class is
/// that keyword's: "occupied" in "not occupied" or "no longer occupied" is part of the negation
/// (liberated), not occupation; "occupied" beside "liberated" (`Liberated/Occupied`) is a word
/// of its own, and the name holds both classes.
///
/// A status word (the grey zone, liberation, occupation) after a negation in its clause that
/// the tables do not hold as a phrase (`Not yet liberated`, `never occupied`, `Ще не звільнено`,
/// `not contested`) does not say that status: it is returned apart, in the second list, so that
/// the name is not read as saying the opposite of what it says ([`ConflictKind::NameNegated`]).
/// A keyword that is itself a negation (`not occupied`, `не окупов*`) is read as its table says.
fn classes_of_text(text: &str) -> (Vec<AreaClass>, Vec<AreaClass>) {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mut found: Vec<(AreaClass, usize, usize, bool)> = Vec::new();
    for (class, words) in ENGLISH.iter().chain(UKRAINIAN) {
        let status = statuses(&[*class]).len() == 1;
        for w in *words {
            let checked = status && !starts_with_negation(w);
            found.extend(word_spans(&text, w).map(|(s, e)| (*class, s, e, checked && negated_at(&text, s))));
        }
    }
    let own = |&(c, s, e, _): &(AreaClass, usize, usize, bool)| {
        !found
            .iter()
            .any(|&(o, s2, e2, _)| o != c && s2 <= s && e <= e2 && e2 - s2 > e - s)
    };
    let of = |negated: bool| -> Vec<AreaClass> {
        NAME_PRECEDENCE
            .into_iter()
            .filter(|c| found.iter().any(|f| f.0 == *c && f.3 == negated && own(f)))
            .collect()
    };
    let said = of(false);
    let negated = of(true).into_iter().filter(|c| !said.contains(c)).collect();
    (said, negated)
}

/// Words that negate the status word after them, English and Ukrainian (lowercase; `’` read as
/// `'`).
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "non",
    "nor",
    "neither",
    "without",
    "isn't",
    "wasn't",
    "aren't",
    "weren't",
    "hasn't",
    "haven't",
    "hadn't",
    "doesn't",
    "didn't",
    "cannot",
    "can't",
    "не",
    "ні",
    "ніколи",
    "без",
    "немає",
    "нема",
];

/// How many words before a status word a negation reaches (`has not yet been occupied`).
const NEGATION_REACH: usize = 3;

/// Whether `word` (a word of a lowercase name, punctuation around it ignored) is a negation.
fn is_negation(word: &str) -> bool {
    let w = word.replace('\u{2019}', "'");
    NEGATIONS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
}

/// Whether a keyword of the tables begins with a negation (`not occupied`, `no longer ...`,
/// `не окупов*`): a phrase that already reads its negation.
fn starts_with_negation(keyword: &str) -> bool {
    keyword.split([' ', '-']).next().is_some_and(is_negation)
}

/// Whether a negation stands among the [`NEGATION_REACH`] words before byte `at` of `text`,
/// within its clause (a clause ends at `,;.:!?()/` or a dash).
fn negated_at(text: &str, at: usize) -> bool {
    let clause = text[..at]
        .rsplit([',', ';', '.', ':', '!', '?', '(', ')', '/', '\u{2013}', '\u{2014}'])
        .next()
        .unwrap_or("");
    clause
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .rev()
        .take(NEGATION_REACH)
        .any(is_negation)
}

/// The parts of a name: its texts between separators, a run of two or more slashes (`///` as
/// DeepState writes it, `//` as it sometimes does; one slash is a word's, `Liberated/Occupied`).
fn name_parts(name: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = name;
    while let Some(at) = rest.find("//") {
        parts.push(&rest[..at]);
        rest = rest[at..].trim_start_matches('/');
    }
    parts.push(rest);
    parts
}

/// Whether a part of a name is written in English: more Latin letters than Cyrillic ones.
fn is_english(part: &str) -> bool {
    let latin = part.chars().filter(char::is_ascii_alphabetic).count();
    let cyrillic = part.chars().filter(|c| ('\u{0400}'..='\u{04ff}').contains(c)).count();
    latin > cyrillic
}

/// The classes of a name's words that are statuses (the grey zone, liberation, occupation),
/// not places, in [`NAME_PRECEDENCE`] order.
fn statuses(classes: &[AreaClass]) -> Vec<AreaClass> {
    classes
        .iter()
        .copied()
        .filter(|c| {
            matches!(
                c,
                AreaClass::Contested | AreaClass::Liberated | AreaClass::OccupiedSince2022
            )
        })
        .collect()
}

/// What each clue of an area says, before anything is decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clues {
    /// The classes whose words the name holds (the part that decides: its first English part
    /// whose words tell a class, else its first part in any language that does), in
    /// [`NAME_PRECEDENCE`] order; empty where the name is absent or none of its words tells a
    /// class ([`ConflictKind::NameNotRead`]).
    pub name: Vec<AreaClass>,
    /// The class of the style key's colour.
    pub key: Option<AreaClass>,
    /// The class of the fill colour.
    pub fill: Option<AreaClass>,
    /// The statuses the name's other parts (its other languages: the Ukrainian text beside an
    /// English part, a further part) say and the part that decides does not, where both say a
    /// status ([`ConflictKind::NameLanguages`]), in [`NAME_PRECEDENCE`] order.
    pub name_elsewhere: Vec<AreaClass>,
    /// The statuses the name's words negate in a way the phrase tables do not hold (`Not yet
    /// liberated`, `never occupied`), where no part of it says them plainly
    /// ([`ConflictKind::NameNegated`]), in [`NAME_PRECEDENCE`] order.
    pub name_negated: Vec<AreaClass>,
}

/// How clues disagreed about an area (decided by the order of trust, and reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// A clue said `foreign` (a place outside Ukraine, or its colour) of an area drawn inside
    /// the border (more than half of its area): foreign is where an area is drawn, so the
    /// other clues decided (`unknown` where none told).
    ForeignInsideBorder,
    /// The name holds words of classes that exclude each other: two statuses (the grey zone,
    /// liberation, occupation outside a negation: `Liberated/Occupied`, `Звільнено/Окуповано`,
    /// `Unknown status, occupied`), or a status that is not occupation with a place held before
    /// 2022 (Crimea, CADR/CALR, Tuzla): decided by [`NAME_PRECEDENCE`].
    NameWords,
    /// The name's parts in different languages say different statuses (`Звільнено ///
    /// Occupied`): the part that decides (the English one) decided, the others' statuses set
    /// aside.
    NameLanguages,
    /// The name decided; the style key's colour says another class.
    NameAgainstKey,
    /// The name decided; the fill says another class.
    NameAgainstFill,
    /// The style key decided; the fill says another class.
    KeyAgainstFill,
    /// The name told nothing: absent, or none of its words, in any part or language, is a
    /// keyword of a class (`Багатокутник 23`, `Зміїний /// Snake Island`, `24.03`). The style
    /// key or the fill decided where they tell a class; the area is `unknown` where they do
    /// not. Never silent: every such polygon is counted here.
    NameNotRead,
    /// The name negates a status in words the phrase tables do not hold as a negation (`Not
    /// yet liberated`, `never occupied`, `Ще не звільнено`): it does not say that status, and
    /// what it says instead is not guessed. The status is set aside; the name's other words,
    /// else the style key or the fill decide (`unknown` where none tells). Counted, never
    /// silent.
    NameNegated,
}

impl ConflictKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::ForeignInsideBorder => "foreign_inside_border",
            ConflictKind::NameWords => "name_words",
            ConflictKind::NameLanguages => "name_languages",
            ConflictKind::NameAgainstKey => "name_against_key",
            ConflictKind::NameAgainstFill => "name_against_fill",
            ConflictKind::KeyAgainstFill => "key_against_fill",
            ConflictKind::NameNotRead => "name_not_read",
            ConflictKind::NameNegated => "name_negated",
        }
    }
}

/// What the clues decide about an area: its class and the clue that told it (`None`: no
/// clue did, the area is `unknown`), and the conflicts between the clues, each with the
/// classes set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The class and the clue that decided it.
    pub class: Option<(AreaClass, Clue)>,
    /// The conflicts, each with the classes set aside.
    pub conflicts: Vec<(ConflictKind, Vec<AreaClass>)>,
}

impl Clues {
    /// What `name`, `styleUrl` and `fill` say. The name is read part by part (its texts between
    /// `///` or `//`, or the whole where there is no separator), every part with the keywords of
    /// both languages; the first part in English whose words tell a class decides, else the
    /// first part in any language that does. The statuses the other parts say and that one
    /// does not are kept as [`Clues::name_elsewhere`].
    pub fn of(name: Option<&str>, style_url: Option<&str>, fill: Option<&str>) -> Clues {
        let (name, elsewhere) = name.map_or_else(Default::default, |name| {
            let parts = name_parts(name);
            let (mut read, negated): (Vec<Vec<AreaClass>>, Vec<Vec<AreaClass>>) =
                parts.iter().map(|p| classes_of_text(p)).unzip();
            let decides = parts
                .iter()
                .zip(&read)
                .position(|(p, c)| is_english(p) && !c.is_empty())
                .or_else(|| read.iter().position(|c| !c.is_empty()));
            let name = decides.map(|i| std::mem::take(&mut read[i])).unwrap_or_default();
            // The negated statuses of every part, where no part says them plainly.
            let said: Vec<AreaClass> = name.iter().chain(read.iter().flatten()).copied().collect();
            let negated = NAME_PRECEDENCE
                .into_iter()
                .filter(|c| negated.iter().flatten().any(|n| n == c) && !said.contains(c))
                .collect();
            ((name, negated), read)
        });
        let (name, name_negated) = name;
        let own = statuses(&name);
        let name_elsewhere = if own.is_empty() {
            Vec::new()
        } else {
            let said: Vec<AreaClass> = elsewhere.iter().flat_map(|c| statuses(c)).collect();
            NAME_PRECEDENCE
                .into_iter()
                .filter(|c| said.contains(c) && !own.contains(c))
                .collect()
        };
        let key = style_url
            .and_then(|s| s.strip_prefix("#poly-"))
            .and_then(|s| s.get(..6))
            .and_then(|hex| class_of_colour(&format!("#{hex}")));
        Clues {
            name,
            key,
            fill: fill.and_then(class_of_colour),
            name_elsewhere,
            name_negated,
        }
    }

    /// Whether any clue says `foreign`.
    pub fn says_foreign(&self) -> bool {
        self.name.contains(&AreaClass::Foreign)
            || self.key == Some(AreaClass::Foreign)
            || self.fill == Some(AreaClass::Foreign)
    }

    /// The class in the order of trust (name, style key, fill) and the conflicts between the
    /// clues. `inside_border`: the area is drawn inside the border, where `foreign` is set
    /// aside whoever says it (a conflict, [`ConflictKind::ForeignInsideBorder`]).
    pub fn decide(&self, inside_border: bool) -> Decision {
        let admit = |c: &AreaClass| !(inside_border && *c == AreaClass::Foreign);
        let mut conflicts = Vec::new();
        if inside_border && self.says_foreign() {
            conflicts.push((ConflictKind::ForeignInsideBorder, vec![AreaClass::Foreign]));
        }
        if !self.name_negated.is_empty() {
            conflicts.push((ConflictKind::NameNegated, self.name_negated.clone()));
        } else if self.name.is_empty() {
            conflicts.push((ConflictKind::NameNotRead, Vec::new()));
        }
        let name: Vec<AreaClass> = self.name.iter().copied().filter(admit).collect();
        let said = statuses(&name);
        let not_occupation = said.iter().any(|c| *c != AreaClass::OccupiedSince2022);
        if said.len() > 1 || (not_occupation && name.contains(&AreaClass::OccupiedBefore2022)) {
            // The first in precedence decides; the others are set aside.
            conflicts.push((ConflictKind::NameWords, name.iter().skip(1).copied().collect()));
        }
        if !name.is_empty() && !self.name_elsewhere.is_empty() {
            conflicts.push((ConflictKind::NameLanguages, self.name_elsewhere.clone()));
        }
        let key = self.key.filter(admit);
        let fill = self.fill.filter(admit);
        let class = match (name.first(), key, fill) {
            (Some(&c), _, _) => Some((c, Clue::Name)),
            (None, Some(c), _) => Some((c, Clue::Key)),
            (None, None, Some(c)) => Some((c, Clue::Fill)),
            (None, None, None) => None,
        };
        if let Some((c, by)) = class {
            let against = |other: Option<AreaClass>, kind: ConflictKind, conflicts: &mut Vec<_>| {
                if let Some(o) = other.filter(|o| *o != c) {
                    conflicts.push((kind, vec![o]));
                }
            };
            match by {
                Clue::Name => {
                    against(key, ConflictKind::NameAgainstKey, &mut conflicts);
                    against(fill, ConflictKind::NameAgainstFill, &mut conflicts);
                }
                Clue::Key => against(fill, ConflictKind::KeyAgainstFill, &mut conflicts),
                Clue::Fill => {}
            }
        }
        Decision { class, conflicts }
    }
}

/// The class of an area drawn outside the border from its `name`, `styleUrl` and `fill`, and
/// the clue that decided it; `None` when none does ([`Clues::decide`]).
pub fn classify(name: Option<&str>, style_url: Option<&str>, fill: Option<&str>) -> Option<(AreaClass, Clue)> {
    Clues::of(name, style_url, fill).decide(false).class
}

/// What reading one or more publications did with their features: counts per class and
/// outcome, and the areas of unknown class.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Publications read.
    pub publications: usize,
    /// Per class (`occupied_before_2022`, ..., `unknown`, and `point`, `line` for the dropped
    /// geometry kinds), per outcome: `kept` (united and clipped), `outside_border` (kept for the
    /// clip, no vertex inside the border), `dropped` (the class carries no status, or is
    /// unknown), `invalid` (a polygon that cannot be read: dropped).
    pub polygons: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per class, which clue decided it: `name`, `key`, `fill`.
    pub decided_by: BTreeMap<String, BTreeMap<String, usize>>,
    /// Repairs of the polygons kept (of the classes kept, read without a problem: a polygon
    /// left out as invalid is counted under `invalid`, never here), per kind: `third_coordinate`
    /// (polygons whose positions had a third number, dropped), `orientation` (rings reversed to
    /// RFC 7946), `ring_closed`, `united_invalid` (a polygon not valid alone, such as a ring
    /// crossing itself, taken as the nonzero-winding union of its rings). Each but the third
    /// coordinate is also listed in the report's and the stored file's `repairs`.
    pub repaired: BTreeMap<String, usize>,
    /// The areas of unknown class (at most [`MAX_UNKNOWN_LISTED`] listed; all counted under
    /// `polygons.unknown`).
    pub unknown: Vec<UnknownArea>,
    /// The polygons of the classes kept found invalid and left out, one by one with the reason
    /// (at most [`MAX_UNKNOWN_LISTED`] listed; all counted under `polygons.<class>.invalid`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<InvalidPolygon>,
    /// The publications left without any occupied or contested area inside the border, with
    /// why (refused, or admitted empty with `allow_empty`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub empty: Vec<EmptyPublication>,
    /// Where clues disagreed about areas, decided by the order of trust: one entry per kind of
    /// conflict, class decided and classes set aside, with the polygons counted and the first
    /// one shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<ClueConflict>,
}

/// Polygons whose clues disagreed the same way, and how it was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClueConflict {
    /// How the clues disagreed.
    pub kind: ConflictKind,
    /// The class decided (`unknown` where no clue was left: listed under `unknown`).
    pub decided: String,
    /// The clue that decided it (absent for `unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Clue>,
    /// The classes other clues (or other words of the name) said, set aside (none for
    /// `name_not_read`).
    pub set_aside: Vec<AreaClass>,
    /// Polygons concerned (each polygon, those of a MultiPolygon or a GeometryCollection one by
    /// one).
    pub polygons: usize,
    /// The first of them: file, feature index, name, style key and fill as published.
    pub example: UnknownArea,
}

impl std::fmt::Display for ClueConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let aside: Vec<&str> = self.set_aside.iter().map(|c| c.as_str()).collect();
        write!(
            f,
            "{}: {} polygon(s) classified {}{}",
            self.kind.as_str(),
            self.polygons,
            self.decided,
            self.decided_by
                .map(|c| format!(" by its {}", c.as_str()))
                .unwrap_or_default(),
        )?;
        if !aside.is_empty() {
            write!(f, ", not {}", aside.join(" or "))?;
        }
        write!(f, "; e.g. {} feature {}", self.example.file, self.example.feature)?;
        if let Some(n) = &self.example.name {
            write!(f, " (name {n:?})")?;
        }
        Ok(())
    }
}

/// A polygon found invalid and left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidPolygon {
    /// The file.
    pub file: String,
    /// The feature's index in the publication.
    pub feature: usize,
    /// Its class.
    pub class: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A publication with no occupied or contested area inside the border.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmptyPublication {
    /// The file.
    pub file: String,
    /// Why: what its polygons were (per class and outcome).
    pub why: String,
}

/// At most this many areas of unknown class are listed one by one in a [`Tally`].
pub const MAX_UNKNOWN_LISTED: usize = 50;

/// An area whose class nothing told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownArea {
    /// The file.
    pub file: String,
    /// The feature's index.
    pub feature: usize,
    /// Its name, style key and fill, as published.
    pub name: Option<String>,
    /// `styleUrl`.
    pub style_url: Option<String>,
    /// `fill`.
    pub fill: Option<String>,
}

impl Tally {
    fn count(&mut self, class: &str, outcome: &str, n: usize) {
        if n > 0 {
            *self
                .polygons
                .entry(class.to_string())
                .or_default()
                .entry(outcome.to_string())
                .or_default() += n;
        }
    }

    fn repaired(&mut self, kind: &str, n: usize) {
        if n > 0 {
            *self.repaired.entry(kind.to_string()).or_default() += n;
        }
    }

    /// Adds another tally's counts (the unknown areas up to [`MAX_UNKNOWN_LISTED`]).
    pub fn merge(&mut self, other: &Tally) {
        self.publications += other.publications;
        for (class, outcomes) in &other.polygons {
            for (outcome, n) in outcomes {
                self.count(class, outcome, *n);
            }
        }
        for (class, clues) in &other.decided_by {
            for (clue, n) in clues {
                *self
                    .decided_by
                    .entry(class.clone())
                    .or_default()
                    .entry(clue.clone())
                    .or_default() += n;
            }
        }
        for (kind, n) in &other.repaired {
            self.repaired(kind, *n);
        }
        let room = MAX_UNKNOWN_LISTED.saturating_sub(self.unknown.len());
        self.unknown.extend(other.unknown.iter().take(room).cloned());
        let room = MAX_UNKNOWN_LISTED.saturating_sub(self.invalid.len());
        self.invalid.extend(other.invalid.iter().take(room).cloned());
        self.empty.extend(other.empty.iter().cloned());
        for c in &other.conflicts {
            self.conflict(c.kind, &c.decided, c.decided_by, &c.set_aside, c.polygons, &c.example);
        }
    }

    /// Counts `n` polygons whose clues disagreed so (the first one kept as the example).
    fn conflict(
        &mut self,
        kind: ConflictKind,
        decided: &str,
        decided_by: Option<Clue>,
        set_aside: &[AreaClass],
        n: usize,
        example: &UnknownArea,
    ) {
        if n == 0 {
            return;
        }
        match self
            .conflicts
            .iter_mut()
            .find(|c| c.kind == kind && c.decided == decided && c.decided_by == decided_by && c.set_aside == set_aside)
        {
            Some(c) => c.polygons += n,
            None => self.conflicts.push(ClueConflict {
                kind,
                decided: decided.to_string(),
                decided_by,
                set_aside: set_aside.to_vec(),
                polygons: n,
                example: example.clone(),
            }),
        }
    }

    /// Counts `n` polygons decided as `decision` says: the clue that decided, the conflicts.
    fn decided(&mut self, decision: &Decision, n: usize, example: &UnknownArea) {
        let (decided, by) = match decision.class {
            Some((c, by)) => {
                *self
                    .decided_by
                    .entry(c.as_str().to_string())
                    .or_default()
                    .entry(by.as_str().to_string())
                    .or_default() += n;
                (c.as_str(), Some(by))
            }
            None => ("unknown", None),
        };
        for (kind, aside) in &decision.conflicts {
            self.conflict(*kind, decided, by, aside, n, example);
        }
    }

    /// Counts `n` polygons of unknown class, the first ones listed.
    fn unknown_area(&mut self, n: usize, area: &UnknownArea) {
        self.count("unknown", "dropped", n);
        if self.unknown.len() < MAX_UNKNOWN_LISTED {
            self.unknown.push(area.clone());
        }
    }

    /// Why a publication read into this tally (alone) has no occupied or contested area: its
    /// polygons by class and outcome, e.g. `liberated 40 dropped, occupied_since_2022 2
    /// outside_border, occupied_since_2022 1 invalid`.
    fn why_empty(&self) -> String {
        let list: Vec<String> = self
            .polygons
            .iter()
            .flat_map(|(class, outcomes)| outcomes.iter().map(move |(o, n)| format!("{class} {n} {o}")))
            .collect();
        let kept = ["occupied_before_2022", "occupied_since_2022", "contested"]
            .iter()
            .any(|c| self.polygons.get(*c).is_some_and(|o| o.contains_key("kept")));
        match (list.is_empty(), kept) {
            (true, _) => "it has no polygon".to_string(),
            (false, true) => format!(
                "the occupied or contested polygons only touch the border, nothing of them inside; polygons: {}",
                list.join(", ")
            ),
            (false, false) => format!(
                "no occupied or contested polygon inside the border; polygons: {}",
                list.join(", ")
            ),
        }
    }
}

/// The border a publication is clipped to.
pub struct Clip<'a> {
    /// The border's polygons.
    pub border: &'a [Polygon<f64>],
    /// Its point index (which polygons have a vertex inside).
    pub index: &'a PolygonIndex,
    /// The clipped areas computed so far from the same polygons (for the next publications).
    pub areas: ClassAreas,
}

/// A class's area clipped to the border, with the validity problems of that area, and the
/// input polygons that are not valid themselves (crossing rings: their area is the
/// nonzero-winding union of their rings, a repair) by index, with their first problem and how
/// many more they have.
type ClassArea = (
    MultiPolygon<f64>,
    Vec<super::validity::ValidityProblem>,
    Vec<(usize, super::validity::ValidityProblem, usize)>,
);

/// At most this many input vertices are kept by [`ClassAreas`] (some tens of MB with the areas);
/// past it, areas are computed without being kept.
const CLASS_AREAS_MAX_VERTICES: usize = 2 << 20;

/// The clipped areas of the classes of the publications read so far in one import, keyed by the
/// exact coordinates of the class's polygons (hashed, then compared bit for bit): the same
/// polygons give the same union, clip and findings. Publications repeat most classes unchanged
/// (on DeepState's 779, 90 % of the vertices of the areas occupied before 2022 repeat an
/// earlier publication exactly), so the union, the clip and the validity check of the result
/// run once for each.
#[derive(Debug, Default)]
pub struct ClassAreas {
    map: std::sync::Mutex<ClassAreaMap>,
    /// Whether an area is drawn inside the border, by the hash of its exact coordinates (the
    /// areas of foreign places repeat in every publication).
    inside: std::sync::Mutex<InsideMap>,
}

/// Per hash of an area's coordinates, the areas and whether each is drawn inside the border.
type InsideMap = std::collections::HashMap<u64, Vec<(MultiPolygon<f64>, bool)>>;

/// A hash of the exact coordinates (bits) of polygons.
fn coordinates_hash<'a>(polygons: impl Iterator<Item = &'a Polygon<f64>>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in polygons {
        p.interiors().len().hash(&mut h);
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            r.0.len().hash(&mut h);
            for c in &r.0 {
                c.x.to_bits().hash(&mut h);
                c.y.to_bits().hash(&mut h);
            }
        }
    }
    h.finish()
}

/// Whether two multipolygons have the same coordinates bit for bit.
fn same_bits(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    let rings = |m: &MultiPolygon<f64>| -> Vec<Vec<(u64, u64)>> {
        m.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect())
            .collect()
    };
    a.0.len() == b.0.len()
        && a.0
            .iter()
            .zip(&b.0)
            .all(|(p, q)| p.interiors().len() == q.interiors().len())
        && rings(a) == rings(b)
}

impl Clip<'_> {
    /// Whether an area is drawn inside the border: more than half of its (planar) area lies
    /// inside it. An area without a vertex inside the border whose box misses the border's is
    /// outside without an overlay.
    pub fn drawn_inside(&self, area: &MultiPolygon<f64>) -> bool {
        use geo::{Area, BoundingRect, Intersects};
        let whole = area.unsigned_area();
        if whole <= 0.0 {
            return false;
        }
        let border_box = self.border.iter().filter_map(|p| p.bounding_rect()).reduce(|a, b| {
            geo::Rect::new(
                geo::coord! {x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y)},
                geo::coord! {x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y)},
            )
        });
        let (Some(border_box), Some(area_box)) = (border_box, area.bounding_rect()) else {
            return false;
        };
        if !border_box.intersects(&area_box) {
            return false;
        }
        let key = coordinates_hash(area.0.iter());
        let lock = || {
            self.areas
                .inside
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(found) = lock()
            .get(&key)
            .and_then(|v| v.iter().find(|(kept, _)| same_bits(kept, area)))
        {
            return found.1;
        }
        let [inside] = overlay(&area.0, self.border, [OverlayRule::Intersect], false);
        let answer = inside.unsigned_area() > whole / 2.0;
        lock().entry(key).or_default().push((area.clone(), answer));
        answer
    }
}

/// A class's polygons as kept, with their area.
type KeptArea = (Vec<Polygon<f64>>, std::sync::Arc<ClassArea>);

/// Per hash, the polygons kept with their area; and the vertices kept.
#[derive(Debug, Default)]
struct ClassAreaMap {
    entries: std::collections::HashMap<u64, Vec<KeptArea>>,
    vertices: usize,
}

impl ClassAreas {
    /// The area of `polygons` as `compute` gives it, computed now unless kept.
    fn area(&self, polygons: &[Polygon<f64>], compute: impl FnOnce() -> ClassArea) -> std::sync::Arc<ClassArea> {
        use std::hash::{Hash, Hasher};
        fn rings(ps: &[Polygon<f64>]) -> Vec<&geo::LineString<f64>> {
            ps.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .collect()
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        polygons.len().hash(&mut h);
        let mut n = 0;
        for p in polygons {
            p.interiors().len().hash(&mut h);
        }
        for r in rings(polygons) {
            r.0.len().hash(&mut h);
            n += r.0.len();
            for c in &r.0 {
                c.x.to_bits().hash(&mut h);
                c.y.to_bits().hash(&mut h);
            }
        }
        let key = h.finish();
        let same = |kept: &[Polygon<f64>]| {
            kept.len() == polygons.len()
                && kept
                    .iter()
                    .zip(polygons)
                    .all(|(a, b)| a.interiors().len() == b.interiors().len())
                && rings(kept).iter().zip(rings(polygons)).all(|(a, b)| {
                    a.0.len() == b.0.len()
                        && a.0
                            .iter()
                            .zip(&b.0)
                            .all(|(p, q)| p.x.to_bits() == q.x.to_bits() && p.y.to_bits() == q.y.to_bits())
                })
        };
        let lock = || self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = lock()
            .entries
            .get(&key)
            .and_then(|b| b.iter().find(|(kept, _)| same(kept)))
        {
            return found.1.clone();
        }
        let area = std::sync::Arc::new(compute());
        let mut map = lock();
        if map.vertices + n <= CLASS_AREAS_MAX_VERTICES {
            map.vertices += n;
            map.entries
                .entry(key)
                .or_default()
                .push((polygons.to_vec(), area.clone()));
        }
        area
    }
}

/// The publication instant in a `<UTC unix seconds>.geojson[.gz]` file name.
pub fn instant_from_file_name(path: &Path) -> Option<DateTime<Utc>> {
    let name = super::name_without_gz(path)?;
    let digits = name.strip_suffix(".geojson").or_else(|| name.strip_suffix(".json"))?;
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp(digits.parse().ok()?, 0)
}

/// Whether a directory entry is a publication file.
pub fn is_publication_file(path: &Path) -> bool {
    instant_from_file_name(path).is_some()
}

/// The instant a document says it was published (`published_at`, RFC 3339), where it says.
fn document_instant(v: Option<&Value>) -> Option<Result<DateTime<Utc>, FileProblem>> {
    let v = v?;
    let why = match v.as_str() {
        Some(s) => match crate::model::parse_instant(s) {
            Ok(t) => return Some(Ok(t)),
            // Also a leap second: refused with the reason, never moved to the next second.
            Err(why) => why,
        },
        None => "not a string; give an RFC 3339 instant such as 2024-05-01T20:30:00Z".to_string(),
    };
    Some(Err(FileProblem::PublishedAtInvalid {
        shown: v.to_string(),
        why,
    }))
}

/// A publication as read: typed where it is read whole, raw (borrowed text) where only some
/// features need it. Most of a publication is points and liberated or foreign areas, dropped
/// once their class is known: their coordinates are never parsed into values.
#[derive(serde::Deserialize)]
struct RawDocument<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, borrow)]
    features: Vec<RawFeature<'a>>,
    #[serde(default)]
    published_at: Option<Value>,
    /// A legacy `crs` member, checked by the one rule ([`super::canonical::check_crs_member`]).
    #[serde(default)]
    crs: Option<Value>,
}

#[derive(serde::Deserialize)]
struct RawFeature<'a> {
    #[serde(default)]
    properties: Option<RawProperties>,
    #[serde(default, borrow)]
    geometry: Option<RawGeometry<'a>>,
}

#[derive(serde::Deserialize, Default)]
struct RawProperties {
    #[serde(default)]
    name: Option<Value>,
    #[serde(default, rename = "styleUrl")]
    style_url: Option<Value>,
    #[serde(default)]
    fill: Option<Value>,
}

#[derive(serde::Deserialize)]
struct RawGeometry<'a> {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default, borrow)]
    coordinates: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    geometries: Option<Vec<RawGeometry<'a>>>,
    /// A legacy `crs` member, passed to the geometry reader (which checks it).
    #[serde(default)]
    crs: Option<Value>,
}

/// One polygon of a publication's geometry, as published (its coordinates' text not yet read):
/// a Polygon, a Polygon of a MultiPolygon or of a GeometryCollection, or a MultiPolygon whose
/// coordinates cannot be split into polygons (read whole, so that its problems are reported as
/// the reader reports them).
struct AreaPart<'g, 'a> {
    /// `Polygon` or `MultiPolygon`.
    kind: &'g str,
    coordinates: Option<&'a serde_json::value::RawValue>,
    crs: Option<&'g Value>,
}

/// The polygons of a geometry, each a part of its own: a Polygon, each Polygon of a
/// MultiPolygon, those inside a GeometryCollection at any depth (RFC 7946 3.1.8 allows nesting,
/// and a publication may nest them: every polygon is classified, none dropped as a line). Each
/// is decided on its own, where it is drawn (a MultiPolygon with a part in Transnistria and a
/// part inside Ukraine is two parts, as a GeometryCollection of the two would be). Every other
/// member is counted as dropped: points as `point`, lines (and any other type) as `line`, an
/// empty collection or an untyped member as `no_geometry`.
fn areal_parts<'g, 'a>(g: &'g RawGeometry<'a>, tally: &mut Tally) -> Vec<AreaPart<'g, 'a>> {
    let mut out = Vec::new();
    let mut stack = vec![g];
    while let Some(g) = stack.pop() {
        match g.kind() {
            "Polygon" => out.push(AreaPart {
                kind: "Polygon",
                coordinates: g.coordinates,
                crs: g.crs.as_ref(),
            }),
            "MultiPolygon" => {
                // Its polygons' coordinates, each a raw text of its own (no value built).
                let polygons = g
                    .coordinates
                    .and_then(|raw| serde_json::from_str::<Vec<&'a serde_json::value::RawValue>>(raw.get()).ok())
                    .filter(|p| !p.is_empty());
                match polygons {
                    Some(polygons) => out.extend(polygons.into_iter().map(|c| AreaPart {
                        kind: "Polygon",
                        coordinates: Some(c),
                        crs: g.crs.as_ref(),
                    })),
                    None => out.push(AreaPart {
                        kind: "MultiPolygon",
                        coordinates: g.coordinates,
                        crs: g.crs.as_ref(),
                    }),
                }
            }
            "GeometryCollection" => {
                let members = g.geometries.as_deref().unwrap_or(&[]);
                // An empty collection holds nothing to classify: dropped, counted.
                if members.is_empty() {
                    tally.count("no_geometry", "dropped", 1);
                }
                // In their order: pushed last first.
                stack.extend(members.iter().rev());
            }
            "Point" | "MultiPoint" => tally.count("point", "dropped", 1),
            "" => tally.count("no_geometry", "dropped", 1),
            _ => tally.count("line", "dropped", 1),
        }
    }
    out
}

impl RawGeometry<'_> {
    fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

impl AreaPart<'_, '_> {
    /// The part as a GeoJSON geometry value, for the geometry reader.
    fn to_value(&self) -> Result<Value, serde_json::Error> {
        let coordinates: Value = match self.coordinates {
            Some(raw) => super::strict_json::from_slice(raw.get().as_bytes())?,
            None => Value::Null,
        };
        let mut v = serde_json::json!({"type": self.kind, "coordinates": coordinates});
        if let (Some(crs), Some(m)) = (self.crs, v.as_object_mut()) {
            m.insert("crs".into(), crs.clone());
        }
        Ok(v)
    }
}

/// Reads one publication as a snapshot of `source` clipped to `clip`, dated in `tz`; every
/// problem is in the report, every feature counted in the tally.
pub fn read_publication(
    path: &Path,
    shown: &str,
    source: &str,
    clip: &Clip<'_>,
    tz: chrono_tz::Tz,
    allow_empty: bool,
) -> (Option<Snapshot>, Report, Tally) {
    let mut report = Report::default();
    let mut tally = Tally {
        publications: 1,
        ..Tally::default()
    };
    let file_problem = |report: &mut Report, kind: FileProblem| {
        report.problems.push(Finding {
            file: shown.to_string(),
            feature: None,
            location: None,
            kind: kind.into(),
        });
    };
    let out = (|| {
        let (bytes, sha256) = read_bytes(path, shown, &mut report)?;
        let doc: RawDocument<'_> = match serde_json::from_slice(&bytes) {
            Ok(d) => d,
            Err(e) => {
                // The generic reader's message (invalid JSON, with line and column) where the
                // text is not JSON; the shape's otherwise.
                if parse_json(&bytes, shown, &mut report).is_some() {
                    file_problem(&mut report, FileProblem::NotDeepStateApi { error: e.to_string() });
                }
                return None;
            }
        };
        if doc.kind.as_deref() != Some("FeatureCollection") {
            file_problem(&mut report, FileProblem::NotFeatureCollection);
            return None;
        }
        if let Some(crs) = doc.crs.clone() {
            let mut m = serde_json::Map::new();
            m.insert("crs".into(), crs);
            if let Err(p) = super::canonical::check_crs_member(&m) {
                file_problem(&mut report, p);
                return None;
            }
        }
        let instant = match document_instant(doc.published_at.as_ref()) {
            Some(Ok(t)) => {
                if let Some(named) = instant_from_file_name(path).filter(|n| *n != t) {
                    report.warnings.push(Finding {
                        file: shown.to_string(),
                        feature: None,
                        location: None,
                        kind: FileProblem::PublishedAtOtherThanFileName {
                            document: super::canonical::rfc3339(t),
                            file_name: super::canonical::rfc3339(named),
                        }
                        .into(),
                    });
                }
                t
            }
            Some(Err(e)) => {
                file_problem(&mut report, e);
                return None;
            }
            None => match instant_from_file_name(path) {
                Some(t) => t,
                None => {
                    file_problem(&mut report, FileProblem::NoPublicationInstant);
                    return None;
                }
            },
        };
        // Per class, its polygons and the feature each comes from.
        let mut by_class: BTreeMap<AreaClass, (Vec<Polygon<f64>>, Vec<usize>)> = BTreeMap::new();
        let mut reversed = 0;
        for (i, f) in doc.features.iter().enumerate() {
            let props = f.properties.as_ref();
            let name = props.and_then(|p| p.name.as_ref()).and_then(Value::as_str);
            let style_url = props.and_then(|p| p.style_url.as_ref()).and_then(Value::as_str);
            let fill = props.and_then(|p| p.fill.as_ref()).and_then(Value::as_str);
            let geometry = f.geometry.as_ref();
            let kind = geometry.map_or("", RawGeometry::kind);
            let parts: Vec<AreaPart<'_, '_>> = match (kind, geometry) {
                ("", _) | (_, None) => {
                    tally.count("no_geometry", "dropped", 1);
                    continue;
                }
                (_, Some(g)) => areal_parts(g, &mut tally),
            };
            if parts.is_empty() {
                continue;
            }
            let shown_area = UnknownArea {
                file: shown.to_string(),
                feature: i,
                name: name.map(str::to_string),
                style_url: style_url.map(str::to_string),
                fill: fill.map(str::to_string),
            };
            let clues = Clues::of(name, style_url, fill);
            let outside = clues.decide(false);
            let mut keep = Keep {
                shown,
                feature: i,
                tally: &mut tally,
                report: &mut report,
                by_class: &mut by_class,
                reversed: &mut reversed,
            };
            match outside.class {
                None => {
                    keep.tally.decided(&outside, parts.len(), &shown_area);
                    keep.tally.unknown_area(parts.len(), &shown_area);
                }
                // Foreign is where an area is drawn: each part drawn inside the border is
                // decided by the other clues (and the conflict reported).
                Some((AreaClass::Foreign, _)) => {
                    for part in parts {
                        let (read, scratch, has_third) = read_part(&part, shown, i);
                        let inside = read
                            .as_ref()
                            .filter(|_| scratch.problems.is_empty())
                            .is_some_and(|mp| clip.drawn_inside(mp));
                        if !inside {
                            keep.tally.decided(&outside, 1, &shown_area);
                            keep.tally.count(AreaClass::Foreign.as_str(), "dropped", 1);
                            continue;
                        }
                        let d = clues.decide(true);
                        keep.tally.decided(&d, 1, &shown_area);
                        match d.class {
                            None => keep.tally.unknown_area(1, &shown_area),
                            Some((class, _)) if class.status().is_none() => {
                                keep.tally.count(class.as_str(), "dropped", 1);
                            }
                            Some((class, _)) => keep.polygons(class, read, scratch, has_third, clip),
                        }
                    }
                }
                Some((class, _)) => {
                    keep.tally.decided(&outside, parts.len(), &shown_area);
                    if class.status().is_none() {
                        keep.tally.count(class.as_str(), "dropped", parts.len());
                        continue;
                    }
                    for part in parts {
                        let (read, scratch, has_third) = read_part(&part, shown, i);
                        keep.polygons(class, read, scratch, has_third, clip);
                    }
                }
            }
        }
        // Every repair is listed (report and the stored file's `repairs`), as other importers
        // do: the rings reversed counted per publication. (A third coordinate, an altitude, is
        // ignored as every reader ignores it: counted in the tally only.)
        let file_repair = |report: &mut Report, kind: FindingKind| {
            report.repairs.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind,
            });
        };
        if reversed > 0 {
            file_repair(&mut report, FindingKind::RingsReversed(reversed));
        }
        // Unite each class (nonzero rule) and clip it to the border, in one overlay. The
        // vertices that are not crossings keep their input coordinates bit for bit
        // (`exact_vertices`): a point on a published vertex or edge answers on the boundary.
        let mut out = Vec::new();
        for (class, (polygons, features)) in by_class {
            let Some(status) = class.status() else {
                continue;
            };
            let kept = clip.areas.area(&polygons, || {
                let [mut area] = overlay(&polygons, clip.border, [OverlayRule::Intersect], true);
                normalize_orientation(&mut area);
                let problems = if area.0.is_empty() {
                    Vec::new()
                } else {
                    super::validity::problems(&area)
                };
                // Each input polygon's own validity: a crossing ring is a repair (its area is
                // the nonzero-winding union of its rings), to be listed.
                let invalid = polygons
                    .iter()
                    .enumerate()
                    .filter_map(|(k, p)| {
                        let mut found = super::validity::problems(&MultiPolygon(vec![p.clone()])).into_iter();
                        let first = found.next()?;
                        Some((k, first, found.count()))
                    })
                    .collect();
                (area, problems, invalid)
            });
            let (area, problems, invalid) = &*kept;
            for (k, first, more) in invalid {
                tally.repaired("united_invalid", 1);
                report.repairs.push(Finding {
                    file: shown.to_string(),
                    feature: features.get(*k).copied(),
                    location: None,
                    kind: FindingKind::UnitedInvalid {
                        feature_kind: class.as_str().to_string(),
                        first: first.clone(),
                        more: *more,
                    },
                });
            }
            if area.0.is_empty() {
                continue;
            }
            for err in problems {
                file_problem(
                    &mut report,
                    FileProblem::UnionInvalid {
                        of: format!("the {} areas", class.as_str()),
                        problem: err.clone(),
                    },
                );
            }
            out.push(ControlFeature {
                status,
                geometry: area.clone(),
                class: Some(class.as_str().to_string()),
                date: None,
            });
        }
        if out.is_empty() {
            let why = tally.why_empty();
            tally.empty.push(EmptyPublication {
                file: shown.to_string(),
                why: why.clone(),
            });
            if !allow_empty {
                file_problem(&mut report, FileProblem::EmptyPublication { why });
            }
        }
        if !report.is_ok() {
            return None;
        }
        let content_sha256 = content_sha256(&out);
        Some(Snapshot {
            source: source.to_string(),
            date: instant.with_timezone(&tz).date_naive(),
            synthetic: false,
            features: out,
            published: None,
            published_at: Some(instant),
            provenance: Provenance {
                file: shown.to_string(),
                sha256,
                origin: Some(format!(
                    "DeepStateMap publication of {} (its own format; classes from name, style key and fill; clipped to the border)",
                    super::canonical::rfc3339(instant)
                )),
            },
            content_sha256,
        })
    })();
    (out, report, tally)
}

/// One areal part read: its polygons (`None` where it cannot be read), the findings of reading
/// it, and whether a position had a third number.
fn read_part(part: &AreaPart<'_, '_>, shown: &str, feature: usize) -> (Option<MultiPolygon<f64>>, Report, bool) {
    let mut scratch = Report::default();
    if let Some((mp, third)) = read_clean(part, shown, feature, &mut scratch) {
        return (Some(mp), scratch, third);
    }
    // Not read cleanly by the typed reader: read again as a tree, whose findings the report
    // has always given.
    scratch = Report::default();
    let mut scope = Scope {
        file: shown,
        feature: Some(feature),
        report: &mut scratch,
    };
    match part.to_value() {
        Ok(value) => {
            let third = has_third_coordinate(&value);
            let read = read_areal_unvalidated(&value, &mut scope);
            (read, scratch, third)
        }
        Err(e) => {
            scope.problem(None, FeatureProblem::CoordinatesUnreadable { error: e.to_string() });
            (None, scratch, false)
        }
    }
}

/// Where the polygons of a publication's classes kept go, and what is counted of them.
struct Keep<'k> {
    shown: &'k str,
    feature: usize,
    tally: &'k mut Tally,
    report: &'k mut Report,
    by_class: &'k mut BTreeMap<AreaClass, (Vec<Polygon<f64>>, Vec<usize>)>,
    /// Rings reversed in the publication.
    reversed: &'k mut usize,
}

impl Keep<'_> {
    /// Keeps a part read as `class` (with its repairs), or lists it as invalid and left out.
    fn polygons(
        &mut self,
        class: AreaClass,
        read: Option<MultiPolygon<f64>>,
        scratch: Report,
        third: bool,
        clip: &Clip<'_>,
    ) {
        let Some(mp) = read.filter(|_| scratch.problems.is_empty()) else {
            self.tally.count(class.as_str(), "invalid", 1);
            if self.tally.invalid.len() < MAX_UNKNOWN_LISTED {
                let reason: Vec<String> = scratch.problems.iter().map(|p| p.kind.to_string()).collect();
                self.tally.invalid.push(InvalidPolygon {
                    file: self.shown.to_string(),
                    feature: self.feature,
                    class: class.as_str().to_string(),
                    reason: if reason.is_empty() {
                        "cannot be read as a polygon".to_string()
                    } else {
                        reason.join("; ")
                    },
                });
            }
            // Listed as repairs of the file: the polygon is left out, the rest kept.
            self.report.repairs.extend(scratch.problems.into_iter().map(|mut p| {
                p.kind = FindingKind::PolygonLeftOut {
                    class: class.as_str().to_string(),
                    why: Box::new(p.kind),
                };
                p
            }));
            return;
        };
        // The repairs of what is kept only: a polygon left out is listed as such, not as
        // repaired.
        if third {
            self.tally.repaired("third_coordinate", 1);
        }
        for r in &scratch.repairs {
            if matches!(r.kind, FindingKind::RingReversed { .. }) {
                self.tally.repaired("orientation", 1);
                *self.reversed += 1;
            } else {
                self.tally.repaired("ring_closed", 1);
                self.report.repairs.push(r.clone());
            }
        }
        let (polygons, features) = self.by_class.entry(class).or_default();
        for p in mp.0 {
            let inside = p.exterior().0.iter().any(|c| clip.index.locate(c.x, c.y).in_closed());
            self.tally
                .count(class.as_str(), if inside { "kept" } else { "outside_border" }, 1);
            polygons.push(p);
            features.push(self.feature);
        }
    }
}

/// A polygon of a kept class read by the typed reader (no `serde_json::Value` tree: a tree of
/// small numbers takes about 16 times its text, and building it was most of the reading), with
/// whether a position has a third number; `None` when the typed reader finds any problem (or
/// cannot parse the text): the caller then reads it as a tree, so that what is refused is
/// reported exactly as before. Where it reads cleanly, its polygons and repairs (closed rings,
/// reversed rings: `scratch`) are those of the tree reader, whose ring checks it shares.
fn read_clean(
    part: &AreaPart<'_, '_>,
    shown: &str,
    feature: usize,
    scratch: &mut Report,
) -> Option<(MultiPolygon<f64>, bool)> {
    let coordinates = part.coordinates?;
    let mut scope = Scope {
        file: shown,
        feature: Some(feature),
        report: scratch,
    };
    let mp = read_areal_members_unvalidated(part.kind, part.crs.cloned(), Some(coordinates), &mut scope)
        .ok()
        .flatten()?;
    if !scratch.problems.is_empty() {
        return None;
    }
    Some((mp, has_third_number(coordinates.get().as_bytes())))
}

/// Whether a position of well-formed (Multi)Polygon coordinates text has a third number: an
/// innermost array (no `[` between its brackets) with two commas or more. Only called on text
/// the typed reader took without a problem (arrays of arrays of two or three numbers), where it
/// answers as [`has_third_coordinate`] on the tree.
fn has_third_number(text: &[u8]) -> bool {
    let (mut innermost, mut commas) = (false, 0);
    for &b in text {
        match b {
            b'[' => (innermost, commas) = (true, 0),
            b',' if innermost => commas += 1,
            b']' => {
                if innermost && commas >= 2 {
                    return true;
                }
                innermost = false;
            }
            _ => {}
        }
    }
    false
}

/// Whether any position of a (Multi)Polygon geometry has more than two numbers.
fn has_third_coordinate(geometry: &Value) -> bool {
    fn walk(v: &Value) -> bool {
        match v.as_array() {
            Some(a) if a.first().is_some_and(Value::is_number) => a.len() > 2,
            Some(a) => a.iter().any(walk),
            None => false,
        }
    }
    geometry.get("coordinates").is_some_and(walk)
}

/// The union of a class's areas as one multipolygon (for tests and checks).
pub fn class_area(snapshot: &Snapshot, class: AreaClass) -> MultiPolygon<f64> {
    MultiPolygon(
        snapshot
            .features
            .iter()
            .filter(|f| f.class.as_deref() == Some(class.as_str()))
            .flat_map(|f| f.geometry.0.iter().cloned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    /// A class is written with one name everywhere: the JSON report's (serde) is `as_str`'s
    /// (a tester found `occupied_before2022` in `conflicts[].set_aside`).
    #[test]
    fn a_class_has_one_name_in_every_report() {
        use super::AreaClass::*;
        for c in [OccupiedBefore2022, OccupiedSince2022, Contested, Liberated, Foreign] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str(), "{c:?}");
        }
    }

    use super::*;

    /// The border of these tests: the square 30-32 E x 46-48 N.
    fn square_border() -> Vec<geo::Polygon<f64>> {
        vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (30.0, 46.0),
                (32.0, 46.0),
                (32.0, 48.0),
                (30.0, 48.0),
                (30.0, 46.0),
            ]),
            vec![],
        )]
    }

    /// Two publications with the same areas occupied before 2022 and another occupied area:
    /// read with one shared clip, the second answers exactly as read alone, the repeated class
    /// is computed once and the changed one is not taken for the old.
    #[test]
    fn repeated_class_areas_are_computed_once_and_answer_as_alone() {
        let dir = tempfile::tempdir().unwrap();
        let square = |x0: f64, y0: f64, s: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]]});
        let publication = |secs: u64, occupied_x: f64| {
            let doc = serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "Окупований Крим /// Occupied Crimea"}, "geometry": square(31.5, 45.5, 1.0)},
                {"type": "Feature", "properties": {"name": "Окупована територія /// Occupied"}, "geometry": square(occupied_x, 47.0, 0.5)},
            ]});
            let path = dir.path().join(format!("{secs}.geojson"));
            std::fs::write(&path, doc.to_string()).unwrap();
            path
        };
        let (p1, p2) = (publication(1_700_000_000, 30.5), publication(1_700_090_000, 30.75));
        let border = square_border();
        let index = PolygonIndex::new(&border);
        let clip = || Clip {
            border: &border,
            index: &index,
            areas: ClassAreas::default(),
        };
        let read = |p: &Path, c: &Clip<'_>| {
            let (s, r, _) = read_publication(p, "test", "s", c, DEFAULT_TIME_ZONE, false);
            assert!(r.is_ok(), "{:?}", r.problems);
            let features = s.unwrap().features;
            features
                .into_iter()
                .map(|f| (f.status, f.geometry, f.class))
                .collect::<Vec<_>>()
        };
        let shared = clip();
        let first = read(&p1, &shared);
        let second = read(&p2, &shared);
        let alone = read(&p2, &clip());
        assert_eq!(second, alone);
        assert_eq!(first.len(), 2);
        // Clipped: the square of Crimea reaches south of the border.
        type Read = (ControlStatus, MultiPolygon<f64>, Option<String>);
        let class = |f: &[Read], name: &str| f.iter().find(|f| f.2.as_deref() == Some(name)).map(|f| f.1.clone());
        let crimea = |f: &[Read]| class(f, "occupied_before_2022");
        let c = crimea(&first).unwrap();
        assert!(c.0.iter().flat_map(|p| p.exterior().0.iter()).all(|v| v.y >= 46.0));
        assert_eq!(crimea(&second), Some(c));
        // Three distinct inputs kept (Crimea once, both occupied squares), the second occupied
        // area not taken for the first.
        let kept: usize = shared.areas.map.lock().unwrap().entries.values().map(Vec::len).sum();
        assert_eq!(kept, 3);
        let occupied = |f: &[Read]| class(f, "occupied_since_2022");
        assert!(occupied(&first).is_some());
        assert_ne!(occupied(&first), occupied(&second));
    }

    /// Polygons inside GeometryCollections at any depth are classified and kept (counted per
    /// class), whatever else the collections hold (points, lines: counted as dropped).
    #[test]
    fn polygons_in_nested_geometry_collections_are_classified() {
        let dir = tempfile::tempdir().unwrap();
        let square = |x0: f64, y0: f64, s: f64| serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]]});
        let multi = serde_json::json!({"type": "MultiPolygon", "coordinates": [square(31.0, 47.0, 0.2)["coordinates"].clone()]});
        let line = serde_json::json!({"type": "LineString", "coordinates": [[30.1, 46.1], [30.2, 46.2]]});
        let point = serde_json::json!({"type": "Point", "coordinates": [30.1, 46.1]});
        let nested = serde_json::json!({"type": "GeometryCollection", "geometries": [
            square(30.2, 46.2, 0.2),
            {"type": "GeometryCollection", "geometries": [
                line,
                square(30.6, 46.6, 0.2),
                {"type": "GeometryCollection", "geometries": [point, multi, {"type": "GeometryCollection", "geometries": []}]},
            ]},
        ]});
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Окупована територія /// Occupied"}, "geometry": nested},
        ]});
        let path = dir.path().join("1700000000.geojson");
        std::fs::write(&path, doc.to_string()).unwrap();
        let border = vec![square(30.0, 46.0, 2.0)]
            .into_iter()
            .map(|g| {
                let ring: Vec<(f64, f64)> = g["coordinates"][0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                    .collect();
                geo::Polygon::new(geo::LineString::from(ring), vec![])
            })
            .collect::<Vec<_>>();
        let index = PolygonIndex::new(&border);
        let clip = Clip {
            border: &border,
            index: &index,
            areas: ClassAreas::default(),
        };
        let (s, r, t) = read_publication(&path, "test", "s", &clip, DEFAULT_TIME_ZONE, false);
        assert!(r.is_ok(), "{:?}", r.problems);
        let count = |c: &str, o: &str| t.polygons.get(c).and_then(|m| m.get(o)).copied().unwrap_or(0);
        assert_eq!(count("occupied_since_2022", "kept"), 3, "{:?}", t.polygons);
        assert_eq!(count("line", "dropped"), 1);
        assert_eq!(count("point", "dropped"), 1);
        // The empty collection nested in the third level.
        assert_eq!(count("no_geometry", "dropped"), 1, "{:?}", t.polygons);
        let occupied: Vec<_> = s
            .unwrap()
            .features
            .into_iter()
            .filter(|f| f.status == ControlStatus::Occupied)
            .collect();
        assert_eq!(occupied.len(), 1);
        // The three squares, apart: three polygons of 0.04 square degrees each.
        let polygons = &occupied[0].geometry.0;
        assert_eq!(polygons.len(), 3);
        let sum: f64 = polygons.iter().map(geo::Area::unsigned_area).sum();
        assert!((sum - 0.12).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn names_decide_before_colours() {
        let c = |n: &str, f: &str| classify(Some(n), None, Some(f)).map(|(c, _)| c);
        assert_eq!(
            c("Окупована Абхазія /// Occupied Abkhazia", "#a52714"),
            Some(AreaClass::Foreign)
        );
        assert_eq!(
            c("Окупований Крим /// Occupied Crimea", "#880e4f"),
            Some(AreaClass::OccupiedBefore2022)
        );
        assert_eq!(
            c("ОРДЛО /// CADR and CALR\n", "#880e4f"),
            Some(AreaClass::OccupiedBefore2022)
        );
        assert_eq!(c("Придністров'я", "#880e4f"), Some(AreaClass::Foreign));
        assert_eq!(c("Під питанням", "#a52714"), Some(AreaClass::Contested));
        assert_eq!(c("x /// Unknown status", "#bcaaa4"), Some(AreaClass::Contested));
        assert_eq!(c("x /// Liberated 25.03", "#a52714"), Some(AreaClass::Liberated));
        assert_eq!(c("Зміїний", "#a52714"), Some(AreaClass::OccupiedSince2022));
        assert_eq!(c("x /// Snake Island", "#0f9d58"), Some(AreaClass::Liberated));
        assert_eq!(
            c(
                "Sieverodonetsk /// Sieverodonetsk. Territories, which are under occupation",
                "#bcaaa4"
            ),
            Some(AreaClass::OccupiedSince2022)
        );
        // #880e4f alone decides nothing; an unknown colour neither.
        assert_eq!(c("Багатокутник 11", "#880e4f"), None);
        assert_eq!(c("Багатокутник 11", "#fbc02d"), None);
        // The style key before the fill.
        assert_eq!(
            classify(Some("Polygon 3"), Some("#poly-BCAAA4-1200-77-nodesc"), Some("#a52714")),
            Some((AreaClass::Contested, Clue::Key))
        );
    }

    /// Keywords match whole words (stems at the start of a word); words of a name that exclude
    /// each other, a foreign clue on an area drawn inside, and clues against each other are
    /// decided by the order of trust and named as conflicts.
    #[test]
    fn words_match_whole_and_conflicts_are_named() {
        use AreaClass::*;
        let c = |n: &str| classify(Some(n), None, None).map(|(c, _)| c);
        assert_eq!(c("x /// Occupied near Vassalla"), Some(OccupiedSince2022));
        assert_eq!(c("x /// Salla..."), Some(Foreign));
        assert_eq!(c("x /// Crimean bridge"), Some(OccupiedBefore2022));
        assert_eq!(c("x /// Recaptured"), Some(Liberated));
        assert_eq!(c("x /// Occupations"), Some(OccupiedSince2022));
        assert_eq!(c("x /// Unknownish"), None);
        let decide =
            |n: &str, key: Option<&str>, fill: &str, inside: bool| Clues::of(Some(n), key, Some(fill)).decide(inside);
        for (name, fill, class) in [
            ("Щось /// Liberated Crimea", "#0f9d58", Liberated),
            ("Щось /// CALR outskirts liberated", "#0f9d58", Liberated),
            ("Щось /// Unknown status near Tuzla", "#bcaaa4", Contested),
        ] {
            let d = decide(name, None, fill, false);
            assert_eq!(d.class, Some((class, Clue::Name)), "{name}");
            assert_eq!(
                d.conflicts,
                vec![(ConflictKind::NameWords, vec![OccupiedBefore2022])],
                "{name}"
            );
        }
        // Occupation with a place held before 2022, or a negation of it, is no conflict.
        assert!(
            decide("x /// Occupied Crimea", None, "#000000", false)
                .conflicts
                .is_empty()
        );
        assert!(
            decide("x /// Not occupied", None, "#0f9d58", false)
                .conflicts
                .is_empty()
        );
        let d = decide("Щось /// Bakhmut. Occupied by Wagner PMC", None, "#a52714", true);
        assert_eq!(d.class, Some((OccupiedSince2022, Clue::Name)));
        assert_eq!(d.conflicts, vec![(ConflictKind::ForeignInsideBorder, vec![Foreign])]);
        let d = decide("Щось /// Bakhmut. Occupied by Wagner PMC", None, "#a52714", false);
        assert_eq!(d.class, Some((Foreign, Clue::Name)));
        let d = decide("x /// Occupied", None, "#0f9d58", false);
        assert_eq!(d.conflicts, vec![(ConflictKind::NameAgainstFill, vec![Liberated])]);
        let d = decide("x /// Occupied", Some("#poly-BCAAA4-1200-77"), "#a52714", false);
        assert_eq!(d.conflicts, vec![(ConflictKind::NameAgainstKey, vec![Contested])]);
        let d = decide("Polygon 3", Some("#poly-BCAAA4-1200-77"), "#a52714", false);
        assert_eq!(d.class, Some((Contested, Clue::Key)));
        // "Polygon 3" tells no class: not read, counted.
        assert_eq!(
            d.conflicts,
            vec![
                (ConflictKind::NameNotRead, vec![]),
                (ConflictKind::KeyAgainstFill, vec![OccupiedSince2022])
            ]
        );
        // A foreign colour alone, drawn inside: nothing left to tell.
        let d = decide("Polygon 4", None, "#ff5252", true);
        assert_eq!(d.class, None);
        assert_eq!(
            d.conflicts,
            vec![
                (ConflictKind::ForeignInsideBorder, vec![Foreign]),
                (ConflictKind::NameNotRead, vec![])
            ]
        );
    }

    /// Issue 13 (fresh tester, F2): names are read in both languages in every part, whatever
    /// separates the parts (`///`, `//`, nothing), with the keywords of every class in English
    /// and Ukrainian; the first English part that tells a class decides.
    #[test]
    fn names_are_read_in_both_languages_in_every_form() {
        use AreaClass::*;
        let c = |n: &str| classify(Some(n), None, None).map(|(c, _)| c);
        for (name, class) in [
            // `///`, `//`, no separator; either language alone; English first or last.
            ("Окуповано /// Occupied", OccupiedSince2022),
            ("Окуповано // Occupied", OccupiedSince2022),
            ("Окуповано/// Occupied\n", OccupiedSince2022),
            ("Occupied", OccupiedSince2022),
            ("Occupied /// Окуповано", OccupiedSince2022),
            ("Окуповано", OccupiedSince2022),
            (
                "Рубіжне. Території зайняті ворогом // Rubizhne. Territory, which is under occupation",
                OccupiedSince2022,
            ),
            ("Під контролем ворога", OccupiedSince2022),
            ("Захоплені 03.03", OccupiedSince2022),
            ("x /// Seized 03.03", OccupiedSince2022),
            ("x /// Under Russian control", OccupiedSince2022),
            ("Liberated 25.03", Liberated),
            // A number against a word, as published: the word is read.
            ("Звільнено 16.04 /// Taken back16.04", Liberated),
            ("x /// Taken back22.05", Liberated),
            ("Звільнено\u{a0}27-29.03", Liberated),
            ("Сєвєродонецьк. Території, відбиті у орків.", Liberated),
            ("Freed 11.11", Liberated),
            ("Retaken", Liberated),
            ("Under Ukrainian control", Liberated),
            ("Під контролем ЗСУ", Liberated),
            ("Статус невідомий", Contested),
            ("Unknown status", Contested),
            ("Сіра зона", Contested),
            ("Grey zone", Contested),
            ("Gray\u{a0}area", Contested),
            ("Спірна територія", Contested),
            ("Disputed", Contested),
            ("ОРДЛО", OccupiedBefore2022),
            ("ORDLO", OccupiedBefore2022),
            ("Крим", OccupiedBefore2022),
            ("Occupied Crimea", OccupiedBefore2022),
            ("Occupied since 2014", OccupiedBefore2022),
            ("Окуповано з 2014 року", OccupiedBefore2022),
            ("Севастополь", OccupiedBefore2022),
            ("Придністров'я", Foreign),
            ("Окупована Абхазія", Foreign),
            ("Тимчасово окупована територія Карелії.", Foreign),
            ("Occupied Abkhazia", Foreign),
            ("Під контролем пвк \"вагнер\"", Foreign),
        ] {
            assert_eq!(c(name), Some(class), "{name:?}");
        }
        // `//` separates parts: the English one decides, the other's status is a conflict.
        let d = Clues::of(Some("Звільнено // Occupied"), None, None).decide(false);
        assert_eq!(d.class, Some((OccupiedSince2022, Clue::Name)));
        assert_eq!(d.conflicts, vec![(ConflictKind::NameLanguages, vec![Liberated])]);
        // One slash is a word's: both words in one part.
        let d = Clues::of(Some("Liberated/Occupied"), None, None).decide(false);
        assert_eq!(d.conflicts, vec![(ConflictKind::NameWords, vec![OccupiedSince2022])]);
        // An English part that tells nothing leaves the decision to a part that does.
        let d = Clues::of(Some("Окуповано /// Snake Island"), None, None).decide(false);
        assert_eq!(d.class, Some((OccupiedSince2022, Clue::Name)));
        assert!(d.conflicts.is_empty(), "{:?}", d.conflicts);
    }

    /// Issue 13 (fresh tester, F2): a name none of whose words tells a class (or no name) is a
    /// conflict `name_not_read`, counted, whatever the key or the fill then decide; without
    /// them the area is unknown.
    #[test]
    fn a_name_not_read_is_a_conflict_and_colours_still_decide() {
        use AreaClass::*;
        for name in [
            Some("Багатокутник 23"),
            Some("Зміїний /// Snake Island"),
            Some("24.03"),
            Some("Дорога Тростянець-Суми 31.03"),
            Some(""),
            None,
        ] {
            let d = Clues::of(name, None, Some("#bcaaa4")).decide(false);
            assert_eq!(d.class, Some((Contested, Clue::Fill)), "{name:?}");
            assert_eq!(d.conflicts, vec![(ConflictKind::NameNotRead, vec![])], "{name:?}");
            let d = Clues::of(name, Some("#poly-A52714-1200-77"), Some("#a52714")).decide(false);
            assert_eq!(d.class, Some((OccupiedSince2022, Clue::Key)), "{name:?}");
            assert_eq!(d.conflicts, vec![(ConflictKind::NameNotRead, vec![])], "{name:?}");
            let d = Clues::of(name, None, Some("#fbc02d")).decide(false);
            assert_eq!(d.class, None, "{name:?}");
            assert_eq!(d.conflicts, vec![(ConflictKind::NameNotRead, vec![])], "{name:?}");
        }
        // A name read is no such conflict.
        assert!(
            Clues::of(Some("Звільнено /// Liberated"), None, Some("#0f9d58"))
                .decide(false)
                .conflicts
                .is_empty()
        );
        assert_eq!(ConflictKind::NameNotRead.as_str(), "name_not_read");
    }

    /// Issue 13 (fresh tester): `Liberated/Occupied` was decided without a conflict. Every name
    /// whose words say two statuses (occupation outside a negation among them), in English or
    /// Ukrainian, and every name whose parts in different languages say different statuses, is
    /// a conflict, decided by the order of trust; negations, places with their status and one
    /// status said in both languages are not.
    #[test]
    fn mixed_and_contradictory_names_are_conflicts() {
        use AreaClass::*;
        let decide = |n: &str| Clues::of(Some(n), None, None).decide(false);
        for (name, class, aside) in [
            ("Щось /// Liberated/Occupied", Liberated, vec![OccupiedSince2022]),
            ("Щось /// Occupied / liberated", Liberated, vec![OccupiedSince2022]),
            ("Щось /// Unknown status, occupied", Contested, vec![OccupiedSince2022]),
            ("Щось /// Contested or liberated", Contested, vec![Liberated]),
            ("Звільнено/Окуповано", Liberated, vec![OccupiedSince2022]),
            ("Під питанням, окуповано", Contested, vec![OccupiedSince2022]),
            ("Щось /// Liberated Crimea", Liberated, vec![OccupiedBefore2022]),
        ] {
            let d = decide(name);
            assert_eq!(d.class, Some((class, Clue::Name)), "{name}");
            assert_eq!(d.conflicts, vec![(ConflictKind::NameWords, aside)], "{name}");
        }
        for (name, class, aside) in [
            ("Звільнено /// Occupied", OccupiedSince2022, vec![Liberated]),
            ("Окуповано /// Liberated 25.03", Liberated, vec![OccupiedSince2022]),
            ("Під питанням /// Occupied", OccupiedSince2022, vec![Contested]),
            ("Окуповано /// Unknown status", Contested, vec![OccupiedSince2022]),
            // A further part counts as another language.
            (
                "Звільнено /// Taken back /// Occupied",
                Liberated,
                vec![OccupiedSince2022],
            ),
        ] {
            let d = decide(name);
            assert_eq!(d.class, Some((class, Clue::Name)), "{name}");
            assert_eq!(d.conflicts, vec![(ConflictKind::NameLanguages, aside)], "{name}");
        }
        for name in [
            "x /// Not occupied",
            "x /// No longer occupied",
            "Не окупована територія",
            "x /// Liberated from occupation",
            "Окупований Крим /// Occupied Crimea",
            "Звільнено 25.03 /// Taken back 25.03",
            "Окупована Абхазія /// Occupied Abkhazia",
            "Острів Тузла /// Occupied Tuzla Island",
            "Під питанням /// Contested",
            "Окуповано /// Occupied, not confirmed by the General Staff",
            "Ворога відкинуто///The enemy was pushed back",
        ] {
            assert!(
                decide(name).conflicts.is_empty(),
                "{name}: {:?}",
                decide(name).conflicts
            );
        }
    }

    /// One test per negation of occupation in the phrase tables: each is liberated (not
    /// occupied) whatever the fill says, while the phrase without its negation stays occupied.
    macro_rules! negation {
        ($($test:ident: $name:expr,)*) => {$(
            #[test]
            fn $test() {
                assert_eq!(
                    classify(Some($name), None, Some("#a52714")),
                    Some((AreaClass::Liberated, Clue::Name)),
                    "{:?}",
                    $name
                );
            }
        )*};
    }

    negation! {
        negation_not_occupied: "x /// Not occupied",
        negation_not_under_occupation: "x /// Not under occupation",
        negation_no_longer_occupied: "x /// No longer occupied since 11.11",
        negation_no_longer_under_occupation: "Херсон /// Kherson. No longer under occupation",
        negation_no_occupation: "x /// No occupation confirmed",
        negation_unoccupied: "x /// Unoccupied",
        negation_de_occupied: "x /// De-occupied 12.09",
        negation_deoccupied: "x /// Deoccupied",
        negation_de_occupation: "x /// Area of de-occupation",
        negation_deoccupation: "x /// Deoccupation",
        negation_free_from_occupation: "x /// Free from occupation",
        negation_freed_from_occupation: "x /// Freed from occupation on 10.09",
        negation_liberated_from_occupation: "x /// Liberated from occupation",
        negation_not_captured: "x /// Not captured",
        negation_no_longer_captured: "x /// No longer captured",
        negation_ukrainian_not_occupied: "Не окупована територія",
        negation_ukrainian_deoccupied: "Деокупована територія",
    }

    /// A status negated in words the tables do not hold (the fresh tester's `Not yet
    /// liberated`, read as liberated before): the class of negations, English and Ukrainian,
    /// every status. The name does not decide; the conflict `name_negated` names the status set
    /// aside; the key or the fill decides, and with neither the area is `unknown`.
    #[test]
    fn a_negated_status_is_never_read_as_that_status() {
        for (name, negated) in [
            ("x /// Not yet liberated", AreaClass::Liberated),
            ("x /// No longer liberated", AreaClass::Liberated),
            ("x /// Never liberated", AreaClass::Liberated),
            ("x /// Has not been retaken", AreaClass::Liberated),
            ("x /// Wasn\u{2019}t recaptured", AreaClass::Liberated),
            ("Ще не звільнено", AreaClass::Liberated),
            ("Не звільнене село /// x", AreaClass::Liberated),
            ("x /// Never occupied", AreaClass::OccupiedSince2022),
            ("x /// Not yet captured by Russia", AreaClass::OccupiedSince2022),
            ("x /// Non-occupied", AreaClass::OccupiedSince2022),
            ("x /// Hasn't been seized", AreaClass::OccupiedSince2022),
            ("x /// Without occupation", AreaClass::OccupiedSince2022),
            ("Ніколи не захоплено", AreaClass::OccupiedSince2022),
            ("x /// Not contested", AreaClass::Contested),
            ("x /// No longer a grey zone", AreaClass::Contested),
            ("Не сіра зона", AreaClass::Contested),
        ] {
            let clues = Clues::of(Some(name), Some("#poly-000000-1-1"), Some("#a52714"));
            assert_eq!(clues.name_negated, vec![negated], "{name:?}");
            let d = clues.decide(true);
            assert_eq!(d.class, Some((AreaClass::OccupiedBefore2022, Clue::Key)), "{name:?}");
            assert!(
                d.conflicts.contains(&(ConflictKind::NameNegated, vec![negated])),
                "{name:?}: {:?}",
                d.conflicts
            );
            assert!(
                !d.conflicts.iter().any(|c| c.0 == ConflictKind::NameNotRead),
                "{name:?}"
            );
            // No other clue: unknown, never guessed.
            assert_eq!(classify(Some(name), None, None), None, "{name:?}");
        }
        // A negation in another clause negates nothing; one the tables hold reads as they say;
        // a plain status beside a negated one decides, the negated one reported.
        for (name, class) in [
            (
                "x /// Occupied, not confirmed by the General Staff",
                AreaClass::OccupiedSince2022,
            ),
            ("x /// Not liberated: occupied", AreaClass::OccupiedSince2022),
            ("x /// Not occupied", AreaClass::Liberated),
            ("Не окупована територія", AreaClass::Liberated),
            ("x /// No information", AreaClass::Contested),
        ] {
            assert_eq!(classify(Some(name), None, None), Some((class, Clue::Name)), "{name:?}");
        }
        let d = Clues::of(Some("x /// Not liberated: occupied"), None, None).decide(true);
        assert_eq!(
            d.conflicts,
            vec![(ConflictKind::NameNegated, vec![AreaClass::Liberated])]
        );
        assert_eq!(ConflictKind::NameNegated.as_str(), "name_negated");
    }

    #[test]
    fn occupation_without_a_negation_stays_occupied() {
        for name in [
            "x /// Occupied",
            "x /// Under occupation",
            "x /// Captured 03.03",
            "Окупована територія",
            "x /// Occupied, not confirmed by the General Staff",
        ] {
            assert_eq!(
                classify(Some(name), None, None).map(|(c, _)| c),
                Some(AreaClass::OccupiedSince2022),
                "{name:?}"
            );
        }
    }

    /// A polygon found invalid is listed with its feature index and reason; a publication left
    /// with no occupied area says why (its polygons by class and outcome), refused or admitted.
    #[test]
    fn invalid_polygons_are_listed_and_an_empty_publication_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "x /// Liberated"}, "geometry": {"type": "Polygon", "coordinates": [[[30.5, 46.5], [31.0, 46.5], [31.0, 47.0], [30.5, 46.5]]]}},
            // Two positions: not a ring.
            {"type": "Feature", "properties": {"name": "x /// Occupied"}, "geometry": {"type": "Polygon", "coordinates": [[[30.5, 46.5], [31.0, 46.5]]]}},
        ]});
        let path = dir.path().join("1700000000.geojson");
        std::fs::write(&path, doc.to_string()).unwrap();
        let border = square_border();
        let index = PolygonIndex::new(&border);
        let clip = Clip {
            border: &border,
            index: &index,
            areas: ClassAreas::default(),
        };
        let (s, r, t) = read_publication(&path, "p.geojson", "s", &clip, DEFAULT_TIME_ZONE, false);
        assert!(s.is_none());
        assert_eq!(t.invalid.len(), 1, "{t:?}");
        assert_eq!(t.invalid[0].feature, 1);
        assert_eq!(t.invalid[0].class, "occupied_since_2022");
        assert!(!t.invalid[0].reason.is_empty());
        assert_eq!(t.empty.len(), 1);
        assert!(t.empty[0].why.contains("liberated 1 dropped"), "{}", t.empty[0].why);
        assert!(
            t.empty[0].why.contains("occupied_since_2022 1 invalid"),
            "{}",
            t.empty[0].why
        );
        let message = r.problems[0].to_string();
        assert!(message.contains("occupied_since_2022 1 invalid"), "{message}");
        assert!(message.contains("--allow-empty"), "{message}");
        // Admitted empty: the same why in the tally, no problem.
        let (s, r, t) = read_publication(&path, "p.geojson", "s", &clip, DEFAULT_TIME_ZONE, true);
        assert!(r.is_ok() && s.is_some_and(|s| s.features.is_empty()));
        assert!(t.empty[0].why.contains("liberated 1 dropped"));
    }

    /// The typed reader of kept polygons answers as the tree reader wherever it reads cleanly
    /// (polygons, repairs in order, the third coordinate), and gives way to it on every
    /// geometry with a problem.
    #[test]
    fn typed_reading_answers_as_the_tree_or_gives_way() {
        let cases = [
            // Clockwise exterior (reversed), third coordinates.
            r#"{"type":"Polygon","coordinates":[[[30,46,0],[30,47,0],[31,47,0],[30,46,0]]]}"#,
            // Two polygons, a hole, two numbers per position, a ring closed within 1e-9.
            r#"{"type":"MultiPolygon","coordinates":[[[[30,46],[31,46],[31,47],[30,46.0000000000001]],[[30.2,46.1],[30.3,46.1],[30.3,46.2],[30.2,46.1]]],[[[32,46],[33,46],[33,47],[32,46]]]]}"#,
            // One position with a third number among others without.
            r#"{"type":"Polygon","coordinates":[[[30,46],[31,46],[31,47,5],[30,46]]]}"#,
            // Problems: too few positions, not closed, a string, four numbers, empty, not an array.
            r#"{"type":"Polygon","coordinates":[[[30,46],[31,46],[30,46]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[30,46],[31,46],[31,47],[30,47]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[30,46],["x",46],[31,47],[30,46]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[30,46,0,0],[31,46],[31,47],[30,46]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
            r#"{"type":"Polygon","coordinates":7}"#,
            r#"{"type":"Polygon"}"#,
        ];
        for (n, text) in cases.iter().enumerate() {
            let g: RawGeometry<'_> = serde_json::from_str(text).unwrap();
            // Read whole (a MultiPolygon not split into its polygons).
            let g = AreaPart {
                kind: g.kind.as_deref().unwrap_or(""),
                coordinates: g.coordinates,
                crs: g.crs.as_ref(),
            };
            let mut typed = Report::default();
            let fast = read_clean(&g, "f", 0, &mut typed);
            let mut tree = Report::default();
            let value = g.to_value().unwrap();
            let third = has_third_coordinate(&value);
            let slow = read_areal_unvalidated(
                &value,
                &mut Scope {
                    file: "f",
                    feature: Some(0),
                    report: &mut tree,
                },
            );
            match fast {
                Some((mp, t)) => {
                    assert!(tree.problems.is_empty(), "{n}: {:?}", tree.problems);
                    assert_eq!(Some(mp), slow, "{n}");
                    assert_eq!(t, third, "{n}");
                    let shown = |r: &Report| r.repairs.iter().map(ToString::to_string).collect::<Vec<_>>();
                    assert_eq!(shown(&typed), shown(&tree), "{n}");
                }
                None => assert!(n >= 3 && !tree.problems.is_empty(), "{n}: gave way on a clean geometry"),
            }
            assert_eq!(fast_is_some(&g), n < 3, "{n}");
        }
        fn fast_is_some(g: &AreaPart<'_, '_>) -> bool {
            read_clean(g, "f", 0, &mut Report::default()).is_some()
        }
        assert!(has_third_number(b"[[[1,2],[3,4,0]]]"));
        assert!(!has_third_number(b"[[[1,2],[3,4]],[[5,6],[7,8]]]"));
    }

    #[test]
    fn instants_come_from_file_names() {
        let t = instant_from_file_name(Path::new("/x/1648989208.geojson.gz"));
        assert_eq!(
            t.map(super::super::canonical::rfc3339).as_deref(),
            Some("2022-04-03T12:33:28Z")
        );
        assert!(instant_from_file_name(Path::new("deepstatemap_data_20240708.geojson")).is_none());
    }

    /// A document's `published_at` that is a leap second is refused with the reason (never
    /// moved to the next second); one that names another instant than the file name is used,
    /// and reported as a typed warning.
    #[test]
    fn published_at_leap_seconds_are_refused_and_other_instants_than_the_name_reported() {
        let dir = tempfile::tempdir().unwrap();
        let border = square_border();
        let index = PolygonIndex::new(&border);
        let clip = Clip {
            border: &border,
            index: &index,
            areas: ClassAreas::default(),
        };
        let read = |name: &str, published_at: Option<&str>| {
            let mut doc = serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "Окупована територія /// Occupied"}, "geometry":
                    {"type": "Polygon", "coordinates": [[[30.5, 47.0], [31.0, 47.0], [31.0, 47.5], [30.5, 47.5], [30.5, 47.0]]]}},
            ]});
            if let Some(t) = published_at {
                doc["published_at"] = serde_json::json!(t);
            }
            let path = dir.path().join(name);
            std::fs::write(&path, doc.to_string()).unwrap();
            let (s, r, _) = read_publication(&path, name, "s", &clip, DEFAULT_TIME_ZONE, false);
            (s, r)
        };
        // 1483228800 is 2017-01-01T00:00:00Z, the second after the leap second 2016-12-31T23:59:60Z.
        for leap in ["2016-12-31T23:59:60Z", "2017-01-01T01:59:60+02:00"] {
            let (s, r) = read("1483228800.geojson", Some(leap));
            assert!(s.is_none(), "{leap}");
            assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
            assert_eq!(r.problems[0].kind.code(), "published-at-invalid");
            let m = r.problems[0].message();
            assert!(m.contains("leap second") && m.contains(leap), "{m}");
        }
        let (s, r) = read("x.geojson", Some("yesterday"));
        assert!(s.is_none());
        assert!(
            r.problems[0].message().contains("is not an RFC 3339 instant"),
            "{:?}",
            r.problems
        );
        // Another instant than the file name's: the document's, with a warning.
        let (s, r) = read("1483228800.geojson", Some("2017-01-01T00:00:01Z"));
        assert!(r.is_ok(), "{:?}", r.problems);
        assert_eq!(
            s.unwrap().published_at.map(super::super::canonical::rfc3339).as_deref(),
            Some("2017-01-01T00:00:01Z")
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert_eq!(r.warnings[0].kind.code(), "published-at-other-than-file-name");
        assert_eq!(
            r.warnings[0].message(),
            "published_at 2017-01-01T00:00:01Z is another instant than the file name's (2017-01-01T00:00:00Z): the document's is used"
        );
        // The same instant written another way, or no instant in the name: nothing to say.
        for (name, t) in [
            ("1483228800.geojson", "2017-01-01T02:00:00+02:00"),
            ("publication.geojson", "2017-01-01T00:00:01Z"),
        ] {
            let (s, r) = read(name, Some(t));
            assert!(
                s.is_some() && r.is_ok() && r.warnings.is_empty(),
                "{name}: {:?}",
                r.warnings
            );
        }
    }
}
