//! Presets: the zones of three agreements, each with its citation and the reading chosen where
//! the text leaves one open, as scenario documents for a source and a date.

use super::{Policy, Reference, Scenario, ScenarioError, Side, Zone};
use crate::catalog::{Catalog, CatalogError};
use chrono::NaiveDate;
use serde::Serialize;

/// The ceasefire day of a preset asked for by a date or an instant (`date`/`datetime`,
/// `memorandum_date`/`memorandum_datetime`, over HTTP and on the command line; `field` names the
/// instant's parameter): a scenario document names its ceasefire by day (the state in force at
/// its end), so an instant gives its day when the state published at that instant is the day's.
/// An instant at which an earlier publication of the day was in force is refused, naming the
/// day's last publication (never answered with another state).
///
/// # Errors
/// [`ScenarioError::NotADayState`].
pub fn ceasefire_day(
    cat: &Catalog,
    source: Option<&str>,
    when: crate::model::When,
    field: &str,
) -> Result<NaiveDate, ScenarioError> {
    let t = match when {
        crate::model::When::Date(d) => return Ok(d),
        crate::model::When::Instant(t) => t,
    };
    // An unknown source or an instant before the first publication: the document's own checks
    // name the field, as for a date.
    let Ok((f, day)) = cat.resolve(source, when) else {
        let tz = cat.source(source).map_or(chrono_tz::UTC, |s| s.time_zone);
        return Ok(crate::geodata::publications::day_of(t, tz));
    };
    let Some(p) = f.publication else {
        return Ok(day);
    };
    let stamp = |s: &crate::geodata::Snapshot| {
        s.published_at
            .map(crate::geodata::canonical::rfc3339)
            .unwrap_or_default()
    };
    let last = cat.in_force(source, day).map_err(|error| ScenarioError::Catalog {
        field: field.to_string(),
        error,
    })?;
    Err(ScenarioError::NotADayState {
        field: field.to_string(),
        detail: format!(
            "at {} the publication of {} was in force, superseded later that day by {}: a scenario names its ceasefire by day (the state at the end of the day); ask {field} at or after {} or the date {day}",
            crate::geodata::canonical::rfc3339(t),
            stamp(p),
            last.snapshot_id(),
            stamp(last.snapshot()),
        ),
    })
}

/// A preset: its name, citation and reading.
#[derive(Debug, Clone, Serialize)]
pub struct Preset {
    /// The name used on the CLI and over HTTP.
    pub name: &'static str,
    /// The agreement and the place in it.
    pub citation: &'static str,
    /// How it is read here.
    pub reading: &'static str,
}

/// Every preset.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "korea-1953",
        citation: "Korean Armistice Agreement, 27 July 1953, Article I, paragraph 1: \"A military demarcation line shall be fixed and both sides shall withdraw two (2) kilometers from this line so as to establish a demilitarized zone between the opposing forces.\"",
        reading: "the demarcation line is the line of contact on the ceasefire date; one zone 2 km wide on each side of it",
    },
    Preset {
        name: "minsk-2014",
        citation: "Memorandum of 19 September 2014 (Minsk), point 4: weapons of calibre over 100 mm pulled back at least 15 km on each side from the line of contact, creating a security zone at least 30 km wide",
        reading: "the line of contact on the ceasefire date; one zone 15 km wide on each side of it",
    },
    Preset {
        name: "minsk-ii-2015",
        citation: "Package of Measures for the Implementation of the Minsk Agreements, 12 February 2015, point 2: withdrawal of heavy weapons by both sides by equal distances to create a security zone at least 50 km wide for artillery of 100 mm calibre and more, 70 km for MLRS and 140 km for Tornado-S, Uragan, Smerch and Tochka (Tochka U) systems; for the Ukrainian troops from the de facto line of contact, for the armed formations of certain areas of Donetsk and Luhansk oblasts from the line of contact according to the Minsk Memorandum of 19 September 2014",
        reading: "half of each zone's width on each side, each side from its own line: 25, 35 and 70 km on the covered side of the line of contact on the ceasefire date, and 25, 35 and 70 km on the occupied side of the 'memorandum line'. No data of the 19 September 2014 line exists in the geodata: the line of contact of the source on the memorandum date given stands for it; without one, on 2014-09-19 or, for a source whose first snapshot is later, on the date of its first snapshot (said in the document's zones). That is a reading, not the memorandum's line",
    },
];

/// The memorandum's date, the default date of the Minsk II preset's second line.
pub fn memorandum_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2014, 9, 19).unwrap_or_default()
}

/// The scenario of a preset for `source` on `ceasefire_date`; `memorandum_line_date` is the date
/// of the line standing for the 2014 memorandum's (Minsk II only). `None` for an unknown name.
pub fn preset(
    name: &str,
    source: &str,
    ceasefire_date: NaiveDate,
    memorandum_line_date: NaiveDate,
) -> Option<Scenario> {
    let p = PRESETS.iter().find(|p| p.name == name)?;
    let zone = |name: &str, side: Side, width_km: f64, date: NaiveDate| Zone {
        name: name.to_string(),
        reference: Reference {
            source: Some(source.to_string()),
            date,
        },
        side,
        width_km,
    };
    let zones = match name {
        "korea-1953" => vec![zone("demilitarized zone", Side::Both, 2.0, ceasefire_date)],
        "minsk-2014" => vec![zone(
            "security zone (weapons over 100 mm)",
            Side::Both,
            15.0,
            ceasefire_date,
        )],
        _ => {
            let mut z = Vec::new();
            for (what, width) in [
                ("artillery 100 mm and more", 50.0),
                ("multiple rocket launchers", 70.0),
                ("Tornado-S, Uragan, Smerch, Tochka", 140.0),
            ] {
                z.push(zone(
                    &format!("{what}: covered side, from the de facto line"),
                    Side::Covered,
                    width / 2.0,
                    ceasefire_date,
                ));
                z.push(zone(
                    &format!("{what}: occupied side, from the memorandum line (reading)"),
                    Side::Occupied,
                    width / 2.0,
                    memorandum_line_date,
                ));
            }
            z
        }
    };
    Some(Scenario {
        title: Some(format!("{} — {} (reading: {})", p.name, p.citation, p.reading)),
        source: source.to_string(),
        ceasefire_date,
        policy: Policy::default(),
        zones,
        withdrawal_date: None,
    })
}

/// The document of preset `name` for `source` on `ceasefire_date`, checked against `cat`: an
/// unknown preset or source, or a date before the source's first snapshot, is refused naming the
/// field (`preset`, `source`, `date`, `memorandum_date`). The memorandum line's date is
/// `memorandum_line_date` when given (it must have a snapshot in force), else 2014-09-19 or, for
/// a source whose first snapshot is later, the date of that first snapshot (the reading's rule).
pub fn document(
    cat: &Catalog,
    name: &str,
    source: &str,
    ceasefire_date: NaiveDate,
    memorandum_line_date: Option<NaiveDate>,
) -> Result<Scenario, ScenarioError> {
    let field = |field: &str| {
        let field = field.to_string();
        move |error: CatalogError| ScenarioError::Catalog { field, error }
    };
    if !PRESETS.iter().any(|p| p.name == name) {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        return Err(super::invalid(
            "preset",
            format!("unknown preset '{name}'; presets: {}", names.join(", ")),
        ));
    }
    let src = cat.source(Some(source)).map_err(field("source"))?;
    cat.in_force(Some(source), ceasefire_date).map_err(field("date"))?;
    let memo = match memorandum_line_date {
        Some(d) => {
            cat.in_force(Some(source), d).map_err(field("memorandum_date"))?;
            d
        }
        None => {
            let first = src.epochs.first().map_or(memorandum_date(), |e| e.from);
            memorandum_date().max(first)
        }
    };
    let s = preset(name, source, ceasefire_date, memo)
        .ok_or_else(|| super::invalid("preset", format!("unknown preset '{name}'")))?;
    // The one validation `compute` runs (dates past the archive, a zone's line after the
    // ceasefire, ...): a preset prints no document that `scenario` would refuse. Its fields are
    // named as the preset's arguments.
    super::check(cat, &s).map_err(|e| {
        e.renamed(&[
            ("ceasefire_date", "date"),
            ("zones[1].reference.date", "memorandum_date"),
            ("zones[3].reference.date", "memorandum_date"),
            ("zones[5].reference.date", "memorandum_date"),
        ])
    })?;
    Ok(s)
}
