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

/// What a source says about itself beyond its data: the licence its data is published under,
/// the attribution its users must show, and where it is published (`source.json`, written by
/// `PUT /v1/sources/{name}`). Every answer that uses the source carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceTerms {
    /// The licence of the source's data (e.g. `CC BY 4.0`, or the publisher's terms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The attribution to show wherever the data is shown (e.g. `© DeepStateMap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Where the source publishes (an http or https URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
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

/// One coordinate axis of a WGS84 position, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Longitude, in [-180, 180].
    Lon,
    /// Latitude, in [-90, 90].
    Lat,
}

impl Axis {
    /// The short name used in parameters and columns: `lon`, `lat`.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Lon => "lon",
            Axis::Lat => "lat",
        }
    }

    /// The largest magnitude allowed, degrees: 180 for longitudes, 90 for latitudes.
    pub fn limit(self) -> f64 {
        match self {
            Axis::Lon => 180.0,
            Axis::Lat => 90.0,
        }
    }

    /// Checks one number: finite and within `[-limit, limit]`.
    ///
    /// # Errors
    /// [`CoordinateError::OutOfRange`] (without text) when it is not.
    pub fn check(self, value: f64) -> Result<f64, CoordinateError> {
        if value.is_finite() && value.abs() <= self.limit() {
            Ok(value)
        } else {
            Err(CoordinateError::OutOfRange {
                axis: self,
                value,
                text: None,
            })
        }
    }

    /// Parses one number from text strictly (surrounding blanks allowed; `inf`, `NaN` and
    /// `1e400` refused) and checks it: [`Self::parse_bytes`] of the trimmed text.
    ///
    /// # Errors
    /// [`CoordinateError::NotANumber`] or [`CoordinateError::OutOfRange`], with the text.
    pub fn parse(self, text: &str) -> Result<f64, CoordinateError> {
        self.parse_bytes(text.trim().as_bytes()).map_err(|e| e.with_text(text))
    }

    /// Parses one number from the bytes of a field as they are (a CSV field: no blank
    /// trimmed, no UTF-8 check needed) and checks it. The one parser of coordinate text, for
    /// every edge (query strings, CLI arguments, CSV rows): `fast-float2`, about twice as fast
    /// as `str::parse`, which the CSV path needs.
    ///
    /// # Errors
    /// [`CoordinateError::NotANumber`] or [`CoordinateError::OutOfRange`], with the text.
    pub fn parse_bytes(self, field: &[u8]) -> Result<f64, CoordinateError> {
        let text = || String::from_utf8_lossy(field).into_owned();
        // One rule on every edge: spaces and tabs around a coordinate are not part of it (a
        // query's `lon=%2030.5`, a CSV field ` 30.5`); anything else stays (`30 .5` is refused).
        let number = trim_blanks(field);
        match fast_float2::parse::<f64, _>(number) {
            Ok(v) => self.check(v).map_err(|_| CoordinateError::OutOfRange {
                axis: self,
                value: v,
                text: Some(text()),
            }),
            Err(_) => Err(CoordinateError::NotANumber {
                axis: self,
                text: text(),
            }),
        }
    }
}

/// `b` without the spaces and tabs at either end (around a coordinate; also HTTP's optional
/// whitespace, RFC 9110 §5.6.3).
pub(crate) fn trim_blanks(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a coordinate is refused. Its messages are rendered here and only here.
#[derive(Debug, Clone, PartialEq)]
pub enum CoordinateError {
    /// The text is not a number at all.
    NotANumber {
        /// Which coordinate.
        axis: Axis,
        /// The text as given.
        text: String,
    },
    /// The number is not finite, or outside the axis' range.
    OutOfRange {
        /// Which coordinate.
        axis: Axis,
        /// The number as parsed (may be infinite or NaN).
        value: f64,
        /// The text as given, when it came as text.
        text: Option<String>,
    },
}

impl CoordinateError {
    /// The axis refused.
    pub fn axis(&self) -> Axis {
        match self {
            CoordinateError::NotANumber { axis, .. } | CoordinateError::OutOfRange { axis, .. } => *axis,
        }
    }

    /// The same error naming `text` as given (before trimming).
    fn with_text(self, given: &str) -> Self {
        match self {
            CoordinateError::NotANumber { axis, .. } => CoordinateError::NotANumber {
                axis,
                text: given.to_string(),
            },
            CoordinateError::OutOfRange { axis, value, .. } => CoordinateError::OutOfRange {
                axis,
                value,
                text: Some(given.to_string()),
            },
        }
    }

    /// The message with the field `shown` as a CSV row's messages show text (invisible
    /// characters named, long text shortened) in place of the text as given: the same words as
    /// everywhere else (`Self::message`).
    pub fn in_row(&self, shown: &str) -> String {
        self.message(Some(shown))
    }

    /// The one wording of a refused coordinate, on every edge (CLI argument, query parameter,
    /// CSV row, GeoJSON body or file): `lon 'abc' is not a number`, `lat '95' must be a finite
    /// number in [-90, 90]` (the text as given, quoted, where it came as text), `lon 200 must be
    /// a finite number in [-180, 180]` (the number, where it came as one). `shown` replaces the
    /// text as given.
    fn message(&self, shown: Option<&str>) -> String {
        match self {
            CoordinateError::NotANumber { axis, text } => {
                format!("{axis} '{}' is not a number", shown.unwrap_or(text))
            }
            CoordinateError::OutOfRange { axis, value, text } => {
                let l = axis.limit();
                let given = match shown.or(text.as_deref()) {
                    Some(t) => format!("'{t}'"),
                    None => value.to_string(),
                };
                format!("{axis} {given} must be a finite number in [-{l}, {l}]")
            }
        }
    }
}

impl fmt::Display for CoordinateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(None))
    }
}

impl std::error::Error for CoordinateError {}

/// A WGS84 position in degrees, validated once when made: both numbers finite, the longitude in
/// [-180, 180] and the latitude in [-90, 90]. Every edge (query strings, CLI arguments, CSV rows,
/// GeoJSON bodies and geodata files) and every engine entry point that takes a point goes through
/// [`LonLat::new`] or [`LonLat::parse`].
///
/// ```
/// use frontline::model::LonLat;
/// let p = LonLat::new(34.10, 44.95).unwrap();
/// assert_eq!((p.lon(), p.lat()), (34.10, 44.95));
/// assert!(LonLat::new(200.0, 0.0).is_err());
/// assert_eq!(
///     LonLat::parse("1e400", "44").unwrap_err().to_string(),
///     "lon '1e400' must be a finite number in [-180, 180]"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    /// Checks a position given as numbers.
    ///
    /// # Errors
    /// [`CoordinateError::OutOfRange`] naming the first coordinate refused.
    pub fn new(lon: f64, lat: f64) -> Result<Self, CoordinateError> {
        Ok(LonLat {
            lon: Axis::Lon.check(lon)?,
            lat: Axis::Lat.check(lat)?,
        })
    }

    /// Parses a position given as text (query strings, CLI arguments).
    ///
    /// # Errors
    /// [`CoordinateError`] with the text of the first coordinate refused.
    pub fn parse_bytes(lon: &[u8], lat: &[u8]) -> Result<Self, CoordinateError> {
        Ok(LonLat {
            lon: Axis::Lon.parse_bytes(lon)?,
            lat: Axis::Lat.parse_bytes(lat)?,
        })
    }

    /// Parses a position from two texts strictly (surrounding blanks allowed).
    ///
    /// # Errors
    /// [`CoordinateError`] with the text of the first coordinate refused.
    pub fn parse(lon: &str, lat: &str) -> Result<Self, CoordinateError> {
        Ok(LonLat {
            lon: Axis::Lon.parse(lon)?,
            lat: Axis::Lat.parse(lat)?,
        })
    }

    /// Longitude, degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Latitude, degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }
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
    // The shape is checked: the digits are read in place (no format string parsed per call).
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
    i32::try_from(n(0..4))
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, n(5..7), n(8..10)))
        .ok_or_else(|| format!("'{s}' is not a valid calendar date"))
}

/// The moment a question is asked about: a date (the state in force at the end of that day in
/// the source's time zone) or an instant (`datetime=`: the state as published at that instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A calendar day of the source's time zone.
    Date(NaiveDate),
    /// An instant (UTC).
    Instant(chrono::DateTime<chrono::Utc>),
}

impl From<NaiveDate> for When {
    fn from(d: NaiveDate) -> Self {
        When::Date(d)
    }
}

impl When {
    /// The instant asked for, if one was.
    pub fn instant(self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            When::Date(_) => None,
            When::Instant(t) => Some(t),
        }
    }
}

/// Parses an RFC 3339 instant (`2024-05-01T23:30:00+03:00`, `2024-05-01T20:30:00Z`) into UTC.
/// A date without a time or an offset is refused: an instant must say which one it is.
///
/// A leap second (`:60`, which RFC 3339 5.6 allows) is refused: instants here are UTC counted
/// without leap seconds, as POSIX time and the publishers' Unix timestamps count them, so a
/// `:60` second has no instant of its own (folding it into the next second would silently move
/// it).
pub fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::Timelike;
    let t = chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("'{s}' is not an RFC 3339 instant such as 2024-05-01T20:30:00Z ({e})"))?;
    // Instants whose date is a four-digit year in every time zone (offsets reach ±14 h): an
    // answer states dates and local times, and `+10000-01-01` or a year 0 is no date a reader
    // or RFC 3339 knows. Refused, never clamped (a clamped instant would answer another one).
    let (first, last) = instant_bounds();
    if t < first || t > last {
        return Err(format!(
            "'{s}' is outside the instants answered ({} to {}: the years 0001 to 9999 in every time zone)",
            first.format("%Y-%m-%dT%H:%M:%SZ"),
            last.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    if t.nanosecond() >= 1_000_000_000 {
        return Err(format!(
            "'{s}' names a leap second (:60): instants are UTC without leap seconds (POSIX time, as publication timestamps count), so it has no instant of its own; give :59 or the next minute's :00"
        ));
    }
    Ok(t)
}

/// The first and last instants [`parse_instant`] takes: 0001-01-02T00:00:00Z and
/// 9999-12-30T23:59:59Z, a day inside the four-digit years.
fn instant_bounds() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    use chrono::TimeZone;
    let first = chrono::Utc.with_ymd_and_hms(1, 1, 2, 0, 0, 0).single();
    let last = chrono::Utc.with_ymd_and_hms(9999, 12, 30, 23, 59, 59).single();
    (
        first.unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
        last.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_near_the_ends_of_the_calendar_are_refused() {
        for s in [
            "9999-12-31T23:59:59Z",
            "9999-12-31T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "0001-01-01T23:59:59Z",
        ] {
            let e = parse_instant(s).expect_err(s);
            assert!(e.contains("outside the instants answered"), "{s}: {e}");
        }
        assert!(parse_instant("9999-12-30T23:59:59Z").is_ok());
        // The range is of instants: the last day written in a time zone east of UTC is inside.
        assert!(parse_instant("9999-12-31T10:00:00+14:00").is_ok());
        assert!(parse_instant("0001-01-02T00:00:00Z").is_ok());
        assert!(parse_instant("2024-05-01T20:30:00Z").is_ok());
    }

    #[test]
    fn one_parser_checks_coordinate_text_for_every_edge() {
        // Query strings and CLI arguments (trimmed text) and CSV fields (bytes as they are) give
        // the same value or the same kind of error.
        for t in [
            "30.5", "-180", "180", "1e400", "inf", "NaN", "abc", "200", "-0", "5e-324", "",
        ] {
            let (a, b) = (Axis::Lon.parse(t), Axis::Lon.parse_bytes(t.as_bytes()));
            // Compared as written: NaN is not equal to itself.
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{t}");
        }
        // Spaces and tabs around a coordinate: trimmed on every edge (issue 9 fault 11).
        assert_eq!(Axis::Lat.parse(" 44.5 "), Ok(44.5));
        assert_eq!(Axis::Lat.parse_bytes(b" 44.5 "), Ok(44.5));
        assert_eq!(Axis::Lat.parse_bytes(b"\t44.5"), Ok(44.5));
        assert!(matches!(
            Axis::Lat.parse_bytes(b"44 .5"),
            Err(CoordinateError::NotANumber { .. })
        ));
        assert!(matches!(
            Axis::Lat.parse_bytes(b"44.5\r"),
            Err(CoordinateError::NotANumber { .. })
        ));
        let e = Axis::Lon.parse_bytes(b"1e400").unwrap_err();
        assert_eq!(e.to_string(), "lon '1e400' must be a finite number in [-180, 180]");
        // A CSV row says it in the same words, with the field as the row shows it.
        assert_eq!(e.in_row("1e400"), "lon '1e400' must be a finite number in [-180, 180]");
        let e = LonLat::parse_bytes(b"30", b"95").unwrap_err();
        assert_eq!(e.in_row("95"), "lat '95' must be a finite number in [-90, 90]");
        assert_eq!(e.to_string(), "lat '95' must be a finite number in [-90, 90]");
    }

    #[test]
    fn instants_are_rfc_3339_with_an_offset() {
        let t = parse_instant("2024-05-01T23:30:00+03:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-05-01T20:30:00+00:00");
        for bad in ["2024-05-01", "2024-05-01T20:30:00", "yesterday"] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        // A leap second, in UTC or another offset, with or without a fraction: refused, saying
        // why.
        for leap in [
            "2016-12-31T23:59:60Z",
            "2017-01-01T02:59:60+03:00",
            "2016-12-31T23:59:60.5Z",
        ] {
            let e = parse_instant(leap).unwrap_err();
            assert!(e.contains("leap second"), "{leap}: {e}");
        }
        assert!(parse_instant("2016-12-31T23:59:59.999Z").is_ok());
    }

    #[test]
    fn coordinates_are_checked_once_with_their_messages() {
        assert!(LonLat::new(180.0, -90.0).is_ok());
        assert_eq!(
            LonLat::new(-190.0, 44.0).unwrap_err().to_string(),
            "lon -190 must be a finite number in [-180, 180]"
        );
        assert_eq!(LonLat::new(30.0, f64::NAN).unwrap_err().axis(), Axis::Lat);
        assert_eq!(
            LonLat::parse("abc", "1").unwrap_err().to_string(),
            "lon 'abc' is not a number"
        );
        assert_eq!(
            LonLat::parse("30", "inf").unwrap_err().to_string(),
            "lat 'inf' must be a finite number in [-90, 90]"
        );
        assert_eq!(LonLat::parse(" 30.5", "50").unwrap(), LonLat::new(30.5, 50.0).unwrap());
    }

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
