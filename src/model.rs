//! Plain domain types shared by every stage: statuses, dates, provenance.

use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// The status of a point on a date, against one source.
///
/// Areas are closed sets: a point exactly on a boundary belongs to the area on either side that
/// ranks first in the order `occupied`, `contested`, `covered`, `outside`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Inside the recognized border, neither occupied nor contested: inside the area of application.
    Covered,
    /// Inside the recognized border and under occupation.
    Occupied,
    /// Inside the recognized border, in a contested (grey) zone.
    Contested,
    /// Outside the recognized border.
    Outside,
}

impl Status {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Occupied => "occupied",
            Status::Contested => "contested",
            Status::Outside => "outside",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status a feature of a snapshot or baseline declares for its area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlStatus {
    /// Under occupation.
    Occupied,
    /// Contested, a grey zone.
    Contested,
}

impl ControlStatus {
    /// Parses the `status` property of a feature.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "occupied" => Some(Self::Occupied),
            "contested" => Some(Self::Contested),
            _ => None,
        }
    }

    /// The name used in files and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Occupied => "occupied",
            Self::Contested => "contested",
        }
    }
}

/// A class of area that a source draws (issue 17): what its maps can show at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrawnClass {
    /// Areas under occupation.
    Occupied,
    /// Contested (grey) zones.
    Contested,
    /// Areas freed (drawn as such by some maps).
    Liberated,
    /// The areas occupied before 24 February 2022 (Crimea, parts of Donetsk and Luhansk
    /// oblasts), drawn by the source itself rather than added by a baseline.
    #[serde(rename = "before-2022")]
    Before2022,
}

/// The classes a source draws and what says so. A layer or area of a class it does not draw is
/// `null` in answers, with the reason, never `0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceClasses {
    /// The classes, in the order occupied, contested, liberated, before-2022.
    pub drawn: Vec<DrawnClass>,
    /// What states them: `source.json`, the archive's format, or the source's snapshots.
    pub basis: String,
}

impl SourceClasses {
    /// The classes `drawn` (sorted, once each), stated by `basis`.
    pub fn new(mut drawn: Vec<DrawnClass>, basis: impl Into<String>) -> Self {
        drawn.sort();
        drawn.dedup();
        SourceClasses {
            drawn,
            basis: basis.into(),
        }
    }

    /// A source in the canonical format that does not state its classes: it draws the occupied
    /// area, and a grey zone where one of its snapshots has a contested feature (see
    /// [`Self::with_statuses`]).
    pub fn canonical_unstated() -> Self {
        Self::new(
            vec![DrawnClass::Occupied],
            "not stated in source.json: occupied, and contested where a snapshot has a contested feature",
        )
    }

    /// The DeepStateMap daily archive: one occupied layer, Crimea and the areas occupied since
    /// 2014 included, no grey zone.
    pub fn deepstate_archive() -> Self {
        Self::new(
            vec![DrawnClass::Occupied, DrawnClass::Before2022],
            "the DeepStateMap daily archive's format: one occupied layer, Crimea and the areas occupied since 2014 included; no grey zone",
        )
    }

    /// The NZZ archive (Liveuamap data): occupied (`nochange`, `gains`) and the period's freed
    /// area (`losses`, read and left out of the layers), Crimea left out, no grey zone.
    pub fn nzz_archive() -> Self {
        Self::new(
            vec![DrawnClass::Occupied, DrawnClass::Liberated],
            "the NZZ archive's format: occupied (nochange, gains) and the period's liberated area (losses, left out of the layers); Crimea left out; no grey zone",
        )
    }

    /// Whether it draws `class`.
    pub fn draws(&self, class: DrawnClass) -> bool {
        self.drawn.contains(&class)
    }

    /// These classes, with `contested` added when a snapshot has a contested feature (the data
    /// shows a grey zone whatever was stated; the basis says so).
    pub fn with_statuses(mut self, snapshot_with_contested: Option<&str>) -> Self {
        if let Some(id) = snapshot_with_contested
            && !self.draws(DrawnClass::Contested)
        {
            self.drawn.push(DrawnClass::Contested);
            self.drawn.sort();
            self.basis = format!("{}; contested: snapshot {id} has a contested feature", self.basis);
        }
        self
    }
}

/// Where a piece of data came from: enough to find the exact bytes again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The file it was read from, as given (relative to the geodata directory where it lies in it).
    pub file: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// A free-text statement of origin (publisher, version, licence), where the file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Parses a strict `YYYY-MM-DD` calendar date (2022-02-30 and 2022-2-3 are refused).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("'{s}' is not a date of the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a valid calendar date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2022-02-28").is_ok());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(
            parse_date("2022-02-30")
                .unwrap_err()
                .contains("not a valid calendar date")
        );
        assert!(parse_date("2022-13-01").is_err());
        assert!(parse_date("2022-2-3").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("").is_err());
    }
}
