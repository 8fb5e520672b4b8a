//! Validation findings: every problem and every repair, with the file, feature and place.

use serde::Serialize;
use std::fmt;

/// One problem or repair found while reading geodata.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The file, as given.
    pub file: String,
    /// Index of the feature in the file's `features` array, where the finding is about one.
    pub feature: Option<usize>,
    /// Where inside the feature (polygon, ring, position), where known.
    pub location: Option<String>,
    /// What is wrong, or what was repaired, with the data it needs: code that must tell
    /// findings apart matches on this, never on the message.
    pub kind: FindingKind,
}

impl Finding {
    /// The finding as a sentence ([`FindingKind`]'s `Display`).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// Written as `{file, feature?, location?, kind, message}`: `kind` a stable code
/// ([`FindingKind::code`]), `message` the sentence.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("file", &self.file)?;
        if let Some(i) = self.feature {
            m.serialize_entry("feature", &i)?;
        }
        if let Some(l) = &self.location {
            m.serialize_entry("location", l)?;
        }
        m.serialize_entry("kind", self.kind.code())?;
        m.serialize_entry("message", &self.message())?;
        m.end()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(i) = self.feature {
            write!(f, ": feature {i}")?;
        }
        if let Some(loc) = &self.location {
            write!(f, ": {loc}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

/// Which way a ring turns (planar signed area in lon/lat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Positive area.
    Counterclockwise,
    /// Negative area.
    Clockwise,
}

impl fmt::Display for Turn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Turn::Counterclockwise => "counterclockwise",
            Turn::Clockwise => "clockwise",
        })
    }
}

/// Why one GeoJSON position is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PositionProblem {
    /// Not an array (the value, shortened).
    NotAnArray(String),
    /// Fewer than two numbers.
    TooFewNumbers(usize),
    /// Coordinate `index` is not a number (the value, shortened).
    NotANumber {
        /// 0-based index in the position.
        index: usize,
        /// The value, shortened.
        shown: String,
    },
    /// Coordinate `index` is not finite.
    NotFinite(usize),
    /// Longitude or latitude out of range ([`crate::model::LonLat::new`] refused it).
    OutOfRange(crate::model::CoordinateError),
}

impl fmt::Display for PositionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PositionProblem::NotAnArray(v) => write!(f, "position is not an array of numbers: {v}"),
            PositionProblem::TooFewNumbers(n) => {
                write!(f, "position has {n} number(s); it needs longitude and latitude")
            }
            PositionProblem::NotANumber { index, shown } => write!(f, "coordinate {index} is {shown}, not a number"),
            PositionProblem::NotFinite(i) => write!(f, "coordinate {i} is not finite"),
            PositionProblem::OutOfRange(e) => {
                let (name, value) = match e {
                    crate::model::CoordinateError::OutOfRange { axis, value, .. } => (
                        match axis {
                            crate::model::Axis::Lon => "longitude",
                            crate::model::Axis::Lat => "latitude",
                        },
                        *value,
                    ),
                    crate::model::CoordinateError::NotANumber { .. } => return write!(f, "{e}"),
                };
                let l = e.axis().limit();
                write!(f, "{name} {value} is outside [-{l}, {l}]")
            }
        }
    }
}

/// What a finding is about, with the data each kind needs. Rendered to its sentence here and
/// only here (`Display`).
#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// A position is refused.
    Position(PositionProblem),
    /// A ring has fewer than 4 positions.
    RingTooShort(usize),
    /// A ring's ends differ by less than the tolerance: closed (a repair).
    RingClosed {
        /// The gap, degrees.
        gap_deg: f64,
    },
    /// A ring's ends differ.
    RingNotClosed {
        /// The first position.
        first: [f64; 2],
        /// The last position.
        last: [f64; 2],
    },
    /// An edge runs more than 180 degrees of longitude.
    LongEdge(super::validity::LongEdge),
    /// A ring encloses no area.
    RingWithoutArea,
    /// A ring turned the wrong way: reversed (a repair).
    RingReversed {
        /// How it turned.
        was: Turn,
    },
    /// Rings of a file reversed, counted (a repair; archives that draw every exterior clockwise).
    RingsReversed(usize),
    /// The geometry is not OGC-valid.
    InvalidGeometry(super::validity::ValidityProblem),
    /// The features of an archive file carry dates other than the file's own (a repair: the
    /// file's date is used).
    ContentDates {
        /// The other dates, as written.
        dates: Vec<String>,
        /// The file's date.
        file_date: chrono::NaiveDate,
    },
    /// Anything else, as a sentence: findings that no code tells apart.
    Other(String),
}

impl FindingKind {
    /// A stable short code of the kind (`kind` in JSON reports).
    pub fn code(&self) -> &'static str {
        match self {
            FindingKind::Position(_) => "position",
            FindingKind::RingTooShort(_) => "ring-too-short",
            FindingKind::RingClosed { .. } => "ring-closed",
            FindingKind::RingNotClosed { .. } => "ring-not-closed",
            FindingKind::LongEdge(_) => "long-edge",
            FindingKind::RingWithoutArea => "ring-without-area",
            FindingKind::RingReversed { .. } => "ring-reversed",
            FindingKind::RingsReversed(_) => "rings-reversed",
            FindingKind::InvalidGeometry(_) => "invalid-geometry",
            FindingKind::ContentDates { .. } => "content-dates",
            FindingKind::Other(_) => "other",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindingKind::Position(p) => write!(f, "{p}"),
            FindingKind::RingTooShort(n) => write!(
                f,
                "ring has {n} positions; a closed ring needs at least 4 (3 corners and the first repeated)"
            ),
            FindingKind::RingClosed { gap_deg } => write!(
                f,
                "closed a ring whose ends differed by {gap_deg:.1e} degrees (under {:e})",
                super::geometry::CLOSE_RING_TOLERANCE_DEG
            ),
            FindingKind::RingNotClosed { first, last } => write!(
                f,
                "ring is not closed: first position [{}, {}] differs from last [{}, {}]",
                first[0], first[1], last[0], last[1]
            ),
            FindingKind::LongEdge(e) => write!(f, "{e}"),
            FindingKind::RingWithoutArea => {
                f.write_str("ring encloses no area (all positions on one line or repeated)")
            }
            FindingKind::RingReversed { was } => {
                let now = match was {
                    Turn::Clockwise => Turn::Counterclockwise,
                    Turn::Counterclockwise => Turn::Clockwise,
                };
                write!(f, "ring was {was}; reversed to {now} (RFC 7946 right-hand rule)")
            }
            FindingKind::RingsReversed(n) => write!(f, "{n} ring(s) reversed to the RFC 7946 orientation"),
            FindingKind::InvalidGeometry(p) => write!(f, "invalid geometry: {p}"),
            FindingKind::ContentDates { dates, file_date } => write!(
                f,
                "features are dated {} but the file {file_date}; the file's date is used",
                dates.join(", ")
            ),
            FindingKind::Other(s) => f.write_str(s),
        }
    }
}

impl From<String> for FindingKind {
    fn from(s: String) -> Self {
        FindingKind::Other(s)
    }
}

impl From<&str> for FindingKind {
    fn from(s: &str) -> Self {
        FindingKind::Other(s.to_string())
    }
}

/// All problems (which refuse the load) and repairs (applied and reported) of one load.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// What is wrong; any problem refuses the whole load.
    pub problems: Vec<Finding>,
    /// Repairs applied (only ones that cannot change an area beyond rounding).
    pub repairs: Vec<Finding>,
}

impl Report {
    /// Adds the findings of another report.
    pub fn merge(&mut self, other: Report) {
        self.problems.extend(other.problems);
        self.repairs.extend(other.repairs);
    }

    /// True when nothing refuses the load.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Where findings about one file (and optionally one feature) are recorded.
pub(crate) struct Scope<'a> {
    pub file: &'a str,
    pub feature: Option<usize>,
    pub report: &'a mut Report,
}

impl Scope<'_> {
    pub fn problem(&mut self, location: Option<String>, kind: impl Into<FindingKind>) {
        self.report.problems.push(Finding {
            file: self.file.to_string(),
            feature: self.feature,
            location,
            kind: kind.into(),
        });
    }

    pub fn repair(&mut self, location: Option<String>, kind: impl Into<FindingKind>) {
        self.report.repairs.push(Finding {
            file: self.file.to_string(),
            feature: self.feature,
            location,
            kind: kind.into(),
        });
    }
}
