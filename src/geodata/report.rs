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

    /// The finding as written where the file is named apart (an import report names it once,
    /// an ingest answer has none): `feature 3: ring 0: ...`.
    pub fn without_file(&self) -> String {
        let mut f = self.clone();
        f.file.clear();
        f.to_string().trim_start_matches(": ").to_string()
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
    /// More than three numbers (RFC 7946 3.1.1: the meaning of a fourth is unspecified, so it
    /// is refused rather than guessed at).
    TooManyNumbers(usize),
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
            PositionProblem::TooManyNumbers(n) => write!(
                f,
                "position has {n} numbers; a position is [lon, lat] or [lon, lat, altitude] (RFC 7946 3.1.1: a fourth number means nothing agreed, so it is refused, not guessed at)"
            ),
            PositionProblem::NotANumber { index, shown } => write!(f, "coordinate {index} is {shown}, not a number"),
            PositionProblem::NotFinite(i) => write!(f, "coordinate {i} is not finite"),
            // In the coordinate type's own words, as on every other edge.
            PositionProblem::OutOfRange(e) => write!(f, "{e}"),
        }
    }
}

/// At most this many problems of one geometry are listed one by one; the rest are counted
/// ([`FindingKind::ProblemsNotListed`]).
pub const MAX_PROBLEMS_LISTED: usize = 3;

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
    /// The geodata directory's layout and what its parts name.
    Directory(DirectoryProblem),
    /// A source directory and its `source.json`.
    Source(SourceProblem),
    /// A file as a whole: reading, decompressing, parsing, the shape of the document.
    File(FileProblem),
    /// The `frontline` member of a canonical file.
    Meta(MetaProblem),
    /// A feature: its properties and the shape of its geometry object.
    Feature(FeatureProblem),
    /// A polygon of an archive's class that could not be read was left out, the rest kept (a
    /// repair): what refused it.
    PolygonLeftOut {
        /// The archive's area class (`occupied`, `contested`, ...).
        class: String,
        /// What refused the polygon.
        why: Box<FindingKind>,
    },
    /// More problems of one geometry than are listed one by one (`MAX_PROBLEMS_LISTED`, 3): the
    /// count of those not listed, after the first ones (a message stays short whatever the
    /// input: 5,000 bad positions are one line, not 5,000).
    ProblemsNotListed {
        /// The problems of the geometry in all.
        total: usize,
        /// How many are listed before this one.
        listed: usize,
    },
    /// An invalid archive geometry whose area is taken as the nonzero-winding union of its rings
    /// (a repair).
    UnitedInvalid {
        /// The archive's kind of feature (`nochange`, `gains`).
        feature_kind: String,
        /// The first validity problem.
        first: super::validity::ValidityProblem,
        /// How many more there are.
        more: usize,
    },
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
            FindingKind::Directory(p) => p.code(),
            FindingKind::Source(p) => p.code(),
            FindingKind::File(p) => p.code(),
            FindingKind::Meta(p) => p.code(),
            FindingKind::Feature(p) => p.code(),
            FindingKind::PolygonLeftOut { .. } => "polygon-left-out",
            FindingKind::UnitedInvalid { .. } => "united-invalid",
            FindingKind::ProblemsNotListed { .. } => "problems-not-listed",
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
            FindingKind::Directory(p) => write!(f, "{p}"),
            FindingKind::Source(p) => write!(f, "{p}"),
            FindingKind::File(p) => write!(f, "{p}"),
            FindingKind::Meta(p) => write!(f, "{p}"),
            FindingKind::Feature(p) => write!(f, "{p}"),
            FindingKind::PolygonLeftOut { class, why } => write!(f, "{class} polygon left out: {why}"),
            FindingKind::ProblemsNotListed { total, listed } => write!(
                f,
                "{total} problems in this geometry in all: the first {listed} are listed, {} more are not; the geometry is refused",
                total - listed
            ),
            FindingKind::UnitedInvalid {
                feature_kind,
                first,
                more,
            } => {
                write!(f, "invalid {feature_kind} geometry ({first}")?;
                if *more > 0 {
                    write!(f, " and {more} more")?;
                }
                f.write_str("): its area is the nonzero-winding union of its rings")
            }
        }
    }
}

macro_rules! finding_kind_from {
    ($($t:ident => $v:ident),* $(,)?) => {
        $(impl From<$t> for FindingKind {
            fn from(p: $t) -> Self {
                FindingKind::$v(p)
            }
        })*
    };
}

finding_kind_from!(
    DirectoryProblem => Directory,
    SourceProblem => Source,
    FileProblem => File,
    MetaProblem => Meta,
    FeatureProblem => Feature,
);

/// The layers of a geodata directory that are files named by what they are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// `borders/<ISO3>.geojson`.
    Border,
    /// `baselines/<name>.geojson`.
    Baseline,
    /// `regions/<ISO3>.geojson`.
    Regions,
    /// `waters/<ISO3>.geojson`.
    Waters,
}

impl Layer {
    /// What one file of the layer defines, as a finding names it.
    fn defines(self) -> &'static str {
        match self {
            Layer::Border => "border",
            Layer::Baseline => "baseline",
            Layer::Regions => "regions of border",
            Layer::Waters => "waters of border",
        }
    }
}

/// What is wrong with the geodata directory as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryProblem {
    /// The directory is not there.
    Missing,
    /// `borders/` holds no border.
    NoBorder,
    /// A directory cannot be listed.
    CannotList {
        /// The system's error.
        error: String,
    },
    /// Regions or waters of a border that is not loaded.
    OfUnknownBorder {
        /// Regions or waters.
        layer: Layer,
        /// The ISO3 they name.
        border: String,
    },
    /// Several files define the same name.
    NotUnique {
        /// What the files define.
        layer: Layer,
        /// The name.
        name: String,
        /// How many files define it.
        files: usize,
    },
    /// `frontline.json` names a default source that is not there.
    UnknownDefaultSource(String),
    /// Several sources and no `default_source`.
    NoDefaultSource {
        /// The sources' names, in order.
        sources: Vec<String>,
    },
    /// A cell of the waters has an anchor off the border's land.
    AnchorOffLand {
        /// The anchor, lon/lat.
        anchor: [f64; 2],
        /// The border's ISO3.
        border: String,
    },
    /// A cell of the waters has a vertex on the border's land (off its coast).
    CellVertexOnLand {
        /// The vertex, lon/lat.
        vertex: [f64; 2],
        /// The border's ISO3.
        border: String,
    },
}

impl DirectoryProblem {
    fn code(&self) -> &'static str {
        match self {
            DirectoryProblem::Missing => "directory-missing",
            DirectoryProblem::NoBorder => "no-border",
            DirectoryProblem::CannotList { .. } => "cannot-list-directory",
            DirectoryProblem::OfUnknownBorder { .. } => "unknown-border",
            DirectoryProblem::NotUnique { .. } => "name-not-unique",
            DirectoryProblem::UnknownDefaultSource(_) => "unknown-default-source",
            DirectoryProblem::NoDefaultSource { .. } => "no-default-source",
            DirectoryProblem::AnchorOffLand { .. } => "anchor-off-land",
            DirectoryProblem::CellVertexOnLand { .. } => "cell-vertex-on-land",
        }
    }
}

impl fmt::Display for DirectoryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DirectoryProblem::Missing => f.write_str("geodata directory does not exist or is not a directory"),
            DirectoryProblem::NoBorder => f.write_str("no border: borders/ must hold at least one <ISO3>.geojson"),
            DirectoryProblem::CannotList { error } => write!(f, "cannot list directory: {error}"),
            DirectoryProblem::OfUnknownBorder { layer, border } => {
                write!(f, "{} '{border}', which is not in borders/", layer.defines())
            }
            DirectoryProblem::NotUnique { layer, name, files } => {
                write!(
                    f,
                    "{files} files define the {} '{name}'; names must be unique",
                    layer.defines()
                )
            }
            DirectoryProblem::UnknownDefaultSource(d) => {
                write!(f, "default_source '{d}' is not a directory under sources/")
            }
            DirectoryProblem::NoDefaultSource { sources } => write!(
                f,
                "{} sources ({}) and no default_source: every query without source= would fail; name the default in frontline.json, e.g. {{\"default_source\": \"{}\"}}",
                sources.len(),
                sources.join(", "),
                sources.first().map_or("", String::as_str)
            ),
            DirectoryProblem::AnchorOffLand { anchor, border } => write!(
                f,
                "anchor ({}, {}) is not inside the land of border '{border}'",
                anchor[0], anchor[1]
            ),
            DirectoryProblem::CellVertexOnLand { vertex, border } => write!(
                f,
                "the cell has a vertex ({}, {}) on the land of border '{border}'",
                vertex[0], vertex[1]
            ),
        }
    }
}

/// What is wrong with a source directory or its `source.json`.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceProblem {
    /// The directory's name breaks the naming rule ([`crate::store::check_name`]).
    BadName(String),
    /// Several borders are loaded and `source.json` names none.
    BorderNotNamed,
    /// `source.json` names a border that is not loaded.
    UnknownBorder(String),
    /// `source.json` names a baseline that is not loaded.
    UnknownBaseline(String),
    /// `archive.format` is not one the reader knows.
    UnknownArchiveFormat(String),
    /// The archive directory holds no file of its format.
    EmptyArchive {
        /// The file-name pattern of the format.
        pattern: &'static str,
    },
    /// The archive directory cannot be listed.
    CannotListArchive {
        /// The `source.json` that names it.
        config: String,
        /// The system's error.
        error: String,
    },
    /// Two snapshot files carry the same date.
    TwoSnapshotsOneDate {
        /// The source.
        source: String,
        /// The date.
        date: chrono::NaiveDate,
        /// The other file.
        other: String,
    },
    /// A source folder without `source.json` that holds only hidden or temporary files (or
    /// nothing): what a writer that died while creating the source left. A warning: the folder
    /// is skipped, and the next writer sweeps it.
    Unfinished {
        /// The folder's name.
        source: String,
        /// What it holds.
        left: Vec<String>,
    },
    /// No snapshot file at all.
    NoSnapshotFile {
        /// The source.
        source: String,
    },
    /// `time_zone` is not an IANA name.
    UnknownTimeZone(String),
    /// A member of the description (`licence`, `attribution`, `url`) is not acceptable.
    BadDescription {
        /// The member.
        field: &'static str,
        /// Why.
        why: String,
    },
    /// A snapshot's date lies outside the admission window ([`super::policy::DateWindow`]), the
    /// same one ingest and import apply.
    DateOutsideWindow {
        /// Why, naming the window's end and the setting that moves it.
        reason: String,
    },
}

impl SourceProblem {
    fn code(&self) -> &'static str {
        match self {
            SourceProblem::BadName(_) => "bad-source-name",
            SourceProblem::BorderNotNamed => "border-not-named",
            SourceProblem::UnknownBorder(_) => "unknown-border",
            SourceProblem::UnknownBaseline(_) => "unknown-baseline",
            SourceProblem::UnknownArchiveFormat(_) => "unknown-archive-format",
            SourceProblem::EmptyArchive { .. } => "empty-archive",
            SourceProblem::CannotListArchive { .. } => "cannot-list-archive",
            SourceProblem::TwoSnapshotsOneDate { .. } => "two-snapshots-one-date",
            SourceProblem::NoSnapshotFile { .. } => "no-snapshot-file",
            SourceProblem::Unfinished { .. } => "unfinished-source",
            SourceProblem::UnknownTimeZone(_) => "unknown-time-zone",
            SourceProblem::BadDescription { .. } => "bad-source-description",
            SourceProblem::DateOutsideWindow { .. } => "date-outside-window",
        }
    }
}

impl fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceProblem::BadName(name) => write!(
                f,
                "{}",
                crate::store::StoreError::BadName {
                    what: "source",
                    name: name.clone()
                }
            ),
            SourceProblem::BorderNotNamed => {
                f.write_str("several borders are loaded: say which one this source uses with \"border\"")
            }
            SourceProblem::UnknownBorder(b) => write!(f, "border '{b}' is not in borders/"),
            SourceProblem::UnknownBaseline(b) => write!(f, "baseline '{b}' is not in baselines/"),
            SourceProblem::UnknownArchiveFormat(x) => {
                write!(f, "archive format '{x}' is unknown; known: deepstate, nzz")
            }
            SourceProblem::EmptyArchive { pattern } => write!(f, "archive holds no {pattern} file"),
            SourceProblem::CannotListArchive { config, error } => {
                write!(f, "cannot list the archive dir of {config}: {error}")
            }
            SourceProblem::TwoSnapshotsOneDate { source, date, other } => {
                write!(
                    f,
                    "source '{source}' has two snapshots dated {date} (the other: {other})"
                )
            }
            SourceProblem::NoSnapshotFile { source } => write!(f, "source '{source}' has no snapshot file"),
            SourceProblem::Unfinished { source, left } => {
                write!(f, "folder '{source}' holds no source.json and no snapshot, only ")?;
                if left.is_empty() {
                    f.write_str("nothing")?;
                } else {
                    write!(f, "what a writer left unfinished ({})", left.join(", "))?;
                }
                f.write_str(": skipped (not a source); the next import or ingest removes what is temporary")
            }
            SourceProblem::UnknownTimeZone(tz) => write!(
                f,
                "time_zone '{tz}' is not an IANA time zone name (such as Europe/Kyiv or UTC)"
            ),
            SourceProblem::BadDescription { field, why } => write!(f, "{field}: {why}"),
            SourceProblem::DateOutsideWindow { reason } => write!(f, "snapshot {reason}"),
        }
    }
}

/// What is wrong with a file as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum FileProblem {
    /// The file cannot be read.
    Unreadable {
        /// The system's error.
        error: String,
    },
    /// A gzipped file inflates beyond the limit.
    GzipTooLarge {
        /// The limit, bytes.
        limit: u64,
    },
    /// A `.gz` file is not valid gzip.
    GzipInvalid {
        /// The decoder's error.
        error: String,
    },
    /// The text is not JSON (the place is the finding's location).
    InvalidJson {
        /// The parser's error.
        error: String,
    },
    /// A configuration file (`frontline.json`, `source.json`) cannot be read.
    ConfigUnreadable {
        /// The system's error.
        error: String,
    },
    /// A configuration file does not have the expected members.
    ConfigInvalid {
        /// The parser's error.
        error: String,
    },
    /// An archive directory cannot be listed.
    CannotListArchive {
        /// The system's error.
        error: String,
    },
    /// An archive file's name does not carry its date.
    NameNotDated {
        /// The file-name pattern of the format.
        pattern: &'static str,
    },
    /// Not a GeoJSON FeatureCollection.
    NotFeatureCollection,
    /// A canonical file is not a JSON object.
    NotAnObject,
    /// A canonical file's `type` is not `FeatureCollection`.
    TypeNotFeatureCollection,
    /// `features` is missing or not an array.
    FeaturesNotArray,
    /// An NZZ file is not `{"value": FeatureCollection}`.
    NotNzz,
    /// An NZZ file's `value.features` is missing or not an array.
    NzzFeaturesNotArray,
    /// A DeepStateMap publication does not have the expected shape.
    NotDeepStateApi {
        /// The parser's error.
        error: String,
    },
    /// A DeepStateMap publication's `published_at` is not an instant: not an RFC 3339 string,
    /// or a leap second (`:60`, refused rather than moved, [`crate::model::parse_instant`]).
    PublishedAtInvalid {
        /// The value, as JSON.
        shown: String,
        /// Why it is refused.
        why: String,
    },
    /// A DeepStateMap publication's `published_at` names another instant than its file name
    /// (`<UTC unix seconds>.geojson`): the document's is used. A warning (the import reports it).
    PublishedAtOtherThanFileName {
        /// The document's instant (RFC 3339).
        document: String,
        /// The file name's instant (RFC 3339).
        file_name: String,
    },
    /// A DeepStateMap publication has no instant, neither in its name nor in its document.
    NoPublicationInstant,
    /// An archive file with nothing occupied, not admitted (import `--allow-empty` admits it).
    EmptyArchiveFile {
        /// What it lacks (`no features`, `no occupied area ...`).
        nothing: &'static str,
    },
    /// A publication with no occupied or contested area inside the border, not admitted
    /// (import `--allow-empty` admits it): what its polygons were instead.
    EmptyPublication {
        /// Why it is empty: its polygons by class and outcome.
        why: String,
    },
    /// The union of an archive's areas is not valid.
    UnionInvalid {
        /// What was united.
        of: String,
        /// The validity problem.
        problem: super::validity::ValidityProblem,
    },
    /// A plain GeoJSON file without features.
    EmptyPlainFile {
        /// Whether empty snapshots were asked for (the file name then lacks the date).
        allow_empty: bool,
    },
    /// A legacy `crs` member that names no CRS.
    CrsNotNamed {
        /// The member, as JSON, shortened.
        shown: String,
    },
    /// A legacy `crs` member that names a CRS other than CRS84.
    CrsNotCrs84 {
        /// The name.
        name: String,
        /// Whether it is EPSG:4326 (latitude, longitude), refused for its axis order.
        epsg_4326: bool,
    },
    /// A border file holds other than one feature.
    BorderFeatures(usize),
    /// A file of the layer holds no feature.
    NoFeatures(Layer),
    /// Regions or waters cells overlap.
    Overlap {
        /// Regions or waters.
        layer: Layer,
        /// The sum of their geodesic areas, km2.
        sum_km2: f64,
        /// The area of their union, km2.
        union_km2: f64,
    },
    /// A date the collection itself gives (a foreign member `date`, or `properties.date`, beside
    /// `features`) is not a `YYYY-MM-DD` date.
    CollectionDateInvalid {
        /// The member (`date`, `properties.date`).
        member: &'static str,
        /// Why.
        reason: String,
    },
    /// A date the collection itself gives is not a string (the value as written).
    CollectionDateNotString {
        /// The member.
        member: &'static str,
        /// As written.
        value: String,
    },
    /// A date the collection itself gives is not the snapshot's date: it dates the whole
    /// snapshot, so it is refused rather than flagged as a feature's own date is.
    CollectionDateMismatch {
        /// The member.
        member: &'static str,
        /// The member's date.
        date: chrono::NaiveDate,
        /// The snapshot's date.
        snapshot: chrono::NaiveDate,
    },
}

impl FileProblem {
    fn code(&self) -> &'static str {
        match self {
            FileProblem::Unreadable { .. } => "unreadable",
            FileProblem::GzipTooLarge { .. } => "gzip-too-large",
            FileProblem::GzipInvalid { .. } => "gzip-invalid",
            FileProblem::InvalidJson { .. } => "invalid-json",
            FileProblem::ConfigUnreadable { .. } => "config-unreadable",
            FileProblem::ConfigInvalid { .. } => "config-invalid",
            FileProblem::CannotListArchive { .. } => "cannot-list-archive",
            FileProblem::NameNotDated { .. } => "name-not-dated",
            FileProblem::NotFeatureCollection
            | FileProblem::NotAnObject
            | FileProblem::TypeNotFeatureCollection
            | FileProblem::NotNzz
            | FileProblem::NotDeepStateApi { .. } => "not-feature-collection",
            FileProblem::FeaturesNotArray | FileProblem::NzzFeaturesNotArray => "features-not-array",
            FileProblem::PublishedAtInvalid { .. } => "published-at-invalid",
            FileProblem::PublishedAtOtherThanFileName { .. } => "published-at-other-than-file-name",
            FileProblem::NoPublicationInstant => "no-publication-instant",
            FileProblem::EmptyArchiveFile { .. }
            | FileProblem::EmptyPublication { .. }
            | FileProblem::EmptyPlainFile { .. }
            | FileProblem::NoFeatures(_) => "no-features",
            FileProblem::CrsNotNamed { .. } => "crs-not-named",
            FileProblem::CrsNotCrs84 { .. } => "crs-not-crs84",
            FileProblem::BorderFeatures(_) => "border-features",
            FileProblem::Overlap { .. } => "overlap",
            FileProblem::UnionInvalid { .. } => "union-invalid",
            FileProblem::CollectionDateInvalid { .. } => "date-invalid",
            FileProblem::CollectionDateNotString { .. } => "date-not-string",
            FileProblem::CollectionDateMismatch { .. } => "date-mismatch",
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Unreadable { error } => write!(f, "cannot read file: {error}"),
            FileProblem::GzipTooLarge { limit } => write!(f, "gzip inflates to more than {limit} bytes"),
            FileProblem::GzipInvalid { error } => write!(f, "not a valid gzip file: {error}"),
            FileProblem::InvalidJson { error } => write!(f, "invalid JSON: {error}"),
            FileProblem::ConfigUnreadable { error } => write!(f, "cannot read: {error}"),
            FileProblem::ConfigInvalid { error } => write!(f, "invalid configuration: {error}"),
            FileProblem::CannotListArchive { error } => write!(f, "cannot list archive: {error}"),
            FileProblem::NameNotDated { pattern } => write!(f, "file name is not {pattern} with a valid date"),
            FileProblem::NotFeatureCollection => f.write_str("not a GeoJSON FeatureCollection"),
            FileProblem::NotAnObject => f.write_str("not a JSON object; expected a GeoJSON FeatureCollection"),
            FileProblem::TypeNotFeatureCollection => f.write_str("'type' is not \"FeatureCollection\""),
            FileProblem::FeaturesNotArray => f.write_str("'features' is missing or not an array"),
            FileProblem::NotNzz => f.write_str("not an NZZ archive file: expected {\"value\": FeatureCollection}"),
            FileProblem::NzzFeaturesNotArray => f.write_str("'value.features' is missing or not an array"),
            FileProblem::NotDeepStateApi { error } => write!(f, "not a DeepStateMap FeatureCollection: {error}"),
            FileProblem::PublishedAtInvalid { shown, why } => write!(f, "published_at {shown} is refused: {why}"),
            FileProblem::PublishedAtOtherThanFileName { document, file_name } => write!(
                f,
                "published_at {document} is another instant than the file name's ({file_name}): the document's is used"
            ),
            FileProblem::NoPublicationInstant => f.write_str(
                "no publication instant: the file name is not <UTC unix seconds>.geojson and the document has no published_at",
            ),
            FileProblem::EmptyArchiveFile { nothing } => write!(
                f,
                "{nothing}: an empty snapshot would say that nothing is occupied from its date on (import it with --allow-empty if that is meant)"
            ),
            FileProblem::EmptyPublication { why } => write!(
                f,
                "no occupied or contested area inside the border ({why}): an empty snapshot would say that nothing is occupied from its date on (import it with --allow-empty if that is meant)"
            ),
            FileProblem::UnionInvalid { of, problem } => write!(f, "the union of {of} is invalid: {problem}"),
            FileProblem::EmptyPlainFile { allow_empty: false } => f.write_str(
                "no features: a plain GeoJSON file takes its snapshots' dates from its features, so an empty one names no snapshot; to import an empty snapshot (nothing occupied or contested from its date on), name the file by its date (YYYY-MM-DD.geojson) and add --allow-empty",
            ),
            FileProblem::EmptyPlainFile { allow_empty: true } => f.write_str(
                "no features, and the file name is not a date (YYYY-MM-DD.geojson): an empty snapshot admitted with --allow-empty takes its date from the file name; rename the file to its date",
            ),
            FileProblem::CrsNotNamed { shown } => write!(
                f,
                "crs member {shown} does not name a CRS (expected {{\"type\": \"name\", \"properties\": {{\"name\": \"urn:ogc:def:crs:OGC:1.3:CRS84\"}}}}); GeoJSON (RFC 7946) is always CRS84: drop the member"
            ),
            FileProblem::CrsNotCrs84 { name, epsg_4326 } => {
                let reason = if *epsg_4326 {
                    "EPSG:4326 orders its axes latitude, longitude, while positions here are longitude, latitude \
                     (CRS84); if the file's positions are lon/lat, name CRS84 or drop the crs member"
                } else {
                    "only WGS84 lon/lat coordinates (CRS84) are accepted; reproject the file first"
                };
                write!(f, "crs '{name}' is not CRS84: {reason}")
            }
            FileProblem::BorderFeatures(n) => {
                write!(f, "a border file holds exactly one feature, this one holds {n}")
            }
            FileProblem::NoFeatures(layer) => f.write_str(match layer {
                Layer::Regions => "a regions file needs at least one feature",
                Layer::Waters => "a waters file needs at least one feature (cell)",
                Layer::Baseline => "a baseline needs at least one feature",
                Layer::Border => "a border file holds exactly one feature, this one holds 0",
            }),
            FileProblem::Overlap {
                layer,
                sum_km2,
                union_km2,
            } => write!(
                f,
                "{} overlap: their areas add up to {sum_km2:.3} km2 but cover {union_km2:.3} km2",
                if *layer == Layer::Waters { "cells" } else { "regions" }
            ),
            FileProblem::CollectionDateInvalid { member, reason } => {
                write!(f, "the FeatureCollection's {member}: {reason}")
            }
            FileProblem::CollectionDateNotString { member, value } => write!(
                f,
                "the FeatureCollection's {member} is {value}, not a YYYY-MM-DD string"
            ),
            FileProblem::CollectionDateMismatch { member, date, snapshot } => write!(
                f,
                "the FeatureCollection's {member} is {date}, not the snapshot's date {snapshot}: a date given for the whole collection must be the snapshot's (date the snapshot {date} if that is meant, or correct the member)"
            ),
        }
    }
}

/// What is wrong with the `frontline` member of a canonical file.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaProblem {
    /// No `frontline` object.
    Missing {
        /// The kind of file expected in the directory.
        kind: String,
    },
    /// `frontline.kind` is not the directory's.
    WrongKind {
        /// As written (empty when absent).
        found: String,
        /// The directory's.
        expected: String,
    },
    /// A member that must be a non-empty string is not.
    NotAString {
        /// The member.
        key: String,
    },
    /// A date member is not a valid `YYYY-MM-DD` date.
    BadDate {
        /// The member.
        key: String,
        /// Why.
        reason: String,
    },
    /// `published_at` is not an RFC 3339 instant.
    PublishedAtInvalid {
        /// As written.
        text: String,
        /// The parser's error.
        error: String,
    },
    /// `published_at` is not a string.
    PublishedAtNotString,
    /// `published` is not a list of `{"status", "geometry"}` (the features as published).
    PublishedNotList,
    /// A publication superseded within its day has no `published_at`.
    PublishedAtMissing,
    /// `synthetic` is not a boolean.
    SyntheticNotBool,
    /// `iso3` is not three capital letters.
    Iso3Invalid(String),
    /// `limit_km` is not a positive number.
    LimitKmInvalid,
    /// A baseline's `status` is not one of the statuses.
    UnknownStatus(String),
    /// A baseline's `valid_to` is not after its `valid_from`.
    ValidToNotAfterFrom,
    /// A snapshot's `source` is not the directory it lies in.
    SourceMismatch {
        /// As written.
        declared: String,
        /// The directory's.
        source: String,
    },
    /// A snapshot's file name and `date` disagree.
    DateMismatch {
        /// The file name's date.
        file_name: chrono::NaiveDate,
        /// `frontline.date`.
        declared: chrono::NaiveDate,
    },
}

impl MetaProblem {
    fn code(&self) -> &'static str {
        match self {
            MetaProblem::Missing { .. } => "meta-missing",
            MetaProblem::WrongKind { .. } => "meta-wrong-kind",
            MetaProblem::NotAString { .. } => "meta-not-a-string",
            MetaProblem::BadDate { .. } => "meta-bad-date",
            MetaProblem::PublishedAtInvalid { .. }
            | MetaProblem::PublishedAtNotString
            | MetaProblem::PublishedAtMissing => "meta-published-at",
            MetaProblem::PublishedNotList => "meta-published",
            MetaProblem::SyntheticNotBool => "meta-synthetic",
            MetaProblem::Iso3Invalid(_) => "meta-iso3",
            MetaProblem::LimitKmInvalid => "meta-limit-km",
            MetaProblem::UnknownStatus(_) => "meta-unknown-status",
            MetaProblem::ValidToNotAfterFrom => "meta-valid-to",
            MetaProblem::SourceMismatch { .. } => "meta-source-mismatch",
            MetaProblem::DateMismatch { .. } => "meta-date-mismatch",
        }
    }
}

impl fmt::Display for MetaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetaProblem::Missing { kind } => write!(
                f,
                "no 'frontline' object member: a {kind} file needs {{\"kind\": \"{kind}\", ...}}"
            ),
            MetaProblem::WrongKind { found, expected } => write!(
                f,
                "frontline.kind is '{found}', expected '{expected}' for a file in this directory"
            ),
            MetaProblem::NotAString { key } => write!(f, "frontline.{key} is missing or not a non-empty string"),
            MetaProblem::BadDate { key, reason } => write!(f, "frontline.{key}: {reason}"),
            MetaProblem::PublishedAtInvalid { text, error } => {
                write!(f, "frontline.published_at '{text}' is not an RFC 3339 instant: {error}")
            }
            MetaProblem::PublishedAtNotString => f.write_str("frontline.published_at must be an RFC 3339 string"),
            MetaProblem::PublishedNotList => f.write_str(
                "frontline.published must be a list of {\"status\", \"geometry\"}: the features as published, which an importer unioned into the file's features",
            ),
            MetaProblem::PublishedAtMissing => f.write_str(
                "a publication superseded within its day must say when it was published (frontline.published_at)",
            ),
            MetaProblem::SyntheticNotBool => f.write_str("frontline.synthetic must be true or false"),
            MetaProblem::Iso3Invalid(iso3) => write!(f, "frontline.iso3 '{iso3}' is not three capital letters"),
            MetaProblem::LimitKmInvalid => f.write_str("frontline.limit_km must be a positive number"),
            MetaProblem::UnknownStatus(s) => {
                write!(f, "frontline.status '{s}' is unknown; expected occupied or contested")
            }
            MetaProblem::ValidToNotAfterFrom => f.write_str("frontline.valid_to must be after valid_from"),
            MetaProblem::SourceMismatch { declared, source } => write!(
                f,
                "frontline.source is '{declared}' but the file lies in sources/{source}/"
            ),
            MetaProblem::DateMismatch { file_name, declared } => {
                write!(f, "file name says {file_name} but frontline.date is {declared}")
            }
        }
    }
}

/// What is wrong with a feature: its properties, or the shape of its geometry object (the
/// rings and positions inside have their own kinds).
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureProblem {
    /// `type` is not `Feature`.
    NotAFeature,
    /// No geometry (absent or null).
    NoGeometry,
    /// `properties.date` is not a valid date.
    DateInvalid {
        /// Why.
        reason: String,
    },
    /// `properties.date` is missing.
    DateMissing,
    /// `properties.date` is not a string (the value as written).
    DateNotString(String),
    /// `properties.date` is `null`: the feature gives no date of its own (a flag: the
    /// snapshot's date is used, as for a feature without the member).
    DateNull {
        /// The snapshot's date.
        snapshot: chrono::NaiveDate,
    },
    /// `properties.date` lies outside the dates admitted for new snapshots (the same window as
    /// the snapshot's own date, [`crate::geodata::policy`]).
    DateOutsideWindow {
        /// Why, naming the window's end and the setting that moves it.
        reason: String,
    },
    /// `properties.date` is a date other than the snapshot's (a flag: the snapshot's date is
    /// used).
    OtherDate {
        /// The feature's date.
        date: chrono::NaiveDate,
        /// The snapshot's date.
        snapshot: chrono::NaiveDate,
    },
    /// `properties.status` is not a status.
    UnknownStatus(String),
    /// `properties.status` is missing.
    StatusMissing,
    /// `properties.class` is not a string.
    ClassNotString,
    /// A region lacks its `id` or `name`.
    RegionUnnamed,
    /// A region id is used twice.
    RegionIdTwice(String),
    /// A waters cell's `anchor` is not a position.
    AnchorInvalid,
    /// `properties.type` of an archive feature is not one of the archive's kinds.
    UnknownType {
        /// As written, where there is one.
        found: Option<String>,
        /// The archive's kinds.
        expected: &'static [&'static str],
    },
    /// The coordinates could not be read as JSON values.
    CoordinatesUnreadable {
        /// The parser's error.
        error: String,
    },
    /// The geometry is not an object.
    GeometryNotObject,
    /// The geometry has no `coordinates`.
    NoCoordinates {
        /// Its `type`.
        geometry_type: String,
    },
    /// MultiPolygon coordinates are not an array.
    MultiPolygonNotArray,
    /// The geometry is not a Polygon or MultiPolygon.
    GeometryTypeNotAllowed(String),
    /// The geometry holds no polygon.
    NoPolygons {
        /// Its `type`.
        geometry_type: String,
    },
    /// A polygon is not an array of rings.
    PolygonNotArray,
    /// A polygon has no rings.
    PolygonNoRings,
    /// A ring is not an array of positions.
    RingNotArray,
    /// The coordinates are nested more or less deeply than the geometry's type needs
    /// (`MultiPolygon` 4 levels of arrays, `Polygon` 3): said once, not per position.
    CoordinatesDepth {
        /// Its `type`.
        geometry_type: String,
        /// The levels of arrays the type needs.
        need: usize,
        /// The levels found above the first number.
        found: usize,
    },
}

impl FeatureProblem {
    fn code(&self) -> &'static str {
        match self {
            FeatureProblem::NotAFeature => "not-a-feature",
            FeatureProblem::NoGeometry => "no-geometry",
            FeatureProblem::DateInvalid { .. } => "date-invalid",
            FeatureProblem::DateMissing => "date-missing",
            FeatureProblem::DateNotString(_) => "date-not-string",
            FeatureProblem::DateNull { .. } => "date-null",
            FeatureProblem::DateOutsideWindow { .. } => "date-outside-window",
            FeatureProblem::OtherDate { .. } => "other-date",
            FeatureProblem::UnknownStatus(_) => "unknown-status",
            FeatureProblem::StatusMissing => "status-missing",
            FeatureProblem::ClassNotString => "class-not-string",
            FeatureProblem::RegionUnnamed => "region-unnamed",
            FeatureProblem::RegionIdTwice(_) => "region-id-twice",
            FeatureProblem::AnchorInvalid => "anchor-invalid",
            FeatureProblem::UnknownType { .. } => "unknown-type",
            FeatureProblem::CoordinatesUnreadable { .. } => "coordinates-unreadable",
            FeatureProblem::GeometryNotObject
            | FeatureProblem::NoCoordinates { .. }
            | FeatureProblem::MultiPolygonNotArray
            | FeatureProblem::PolygonNotArray
            | FeatureProblem::PolygonNoRings
            | FeatureProblem::RingNotArray => "geometry-shape",
            FeatureProblem::CoordinatesDepth { .. } => "coordinates-depth",
            FeatureProblem::GeometryTypeNotAllowed(_) => "geometry-type",
            FeatureProblem::NoPolygons { .. } => "no-polygons",
        }
    }
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeatureProblem::NotAFeature => f.write_str("'type' is not \"Feature\""),
            FeatureProblem::NoGeometry => f.write_str("feature has no geometry"),
            FeatureProblem::DateInvalid { reason } => write!(f, "properties.date: {reason}"),
            FeatureProblem::DateMissing => f.write_str("properties.date is missing (YYYY-MM-DD)"),
            FeatureProblem::DateNotString(v) => write!(f, "properties.date is {v}, not a YYYY-MM-DD string"),
            FeatureProblem::DateNull { snapshot } => write!(
                f,
                "properties.date is null: the feature gives no date of its own (the snapshot's date {snapshot} is used)"
            ),
            FeatureProblem::DateOutsideWindow { reason } => write!(f, "properties.date: {reason}"),
            FeatureProblem::OtherDate { date, snapshot } => write!(
                f,
                "properties.date is {date}, not the snapshot's date {snapshot} (the snapshot's date is used)"
            ),
            FeatureProblem::UnknownStatus(s) => write!(f, "unknown status '{s}'; expected occupied or contested"),
            FeatureProblem::StatusMissing => f.write_str("properties.status is missing (occupied or contested)"),
            FeatureProblem::ClassNotString => f.write_str("properties.class must be a string"),
            FeatureProblem::RegionUnnamed => f.write_str("properties.id and properties.name must be non-empty strings"),
            FeatureProblem::RegionIdTwice(id) => write!(f, "region id '{id}' is used twice"),
            FeatureProblem::AnchorInvalid => {
                f.write_str("properties.anchor must be [lon, lat] with lon in [-180, 180], lat in [-90, 90]")
            }
            FeatureProblem::UnknownType { found, expected } => write!(
                f,
                "properties.type is {}; expected one of {}",
                found.as_ref().map_or("missing".to_string(), |k| format!("'{k}'")),
                expected.join(", ")
            ),
            FeatureProblem::CoordinatesUnreadable { error } => write!(f, "coordinates: {error}"),
            FeatureProblem::GeometryNotObject => f.write_str("geometry is missing or not an object"),
            FeatureProblem::NoCoordinates { geometry_type } => {
                write!(f, "{geometry_type} geometry has no 'coordinates'")
            }
            FeatureProblem::MultiPolygonNotArray => f.write_str("MultiPolygon coordinates are not an array"),
            FeatureProblem::GeometryTypeNotAllowed(t) => write!(
                f,
                "geometry type '{t}' is not allowed here; expected Polygon or MultiPolygon"
            ),
            FeatureProblem::NoPolygons { geometry_type } => write!(f, "{geometry_type} has no polygons"),
            FeatureProblem::PolygonNotArray => f.write_str("polygon is not an array of rings"),
            FeatureProblem::PolygonNoRings => f.write_str("polygon has no rings"),
            FeatureProblem::RingNotArray => f.write_str("ring is not an array of positions"),
            FeatureProblem::CoordinatesDepth {
                geometry_type,
                need,
                found,
            } => write!(
                f,
                "{geometry_type} coordinates need {need} levels of arrays; found {found} (the first number is {found} arrays deep)"
            ),
        }
    }
}

/// All problems (which refuse the load) and repairs (applied and reported) of one load.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// What is wrong; any problem refuses the whole load.
    pub problems: Vec<Finding>,
    /// Repairs applied (only ones that cannot change an area beyond rounding).
    pub repairs: Vec<Finding>,
    /// What is odd but refuses nothing (e.g. `unfinished-source`: a folder a writer left
    /// unfinished, skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Finding>,
}

impl Report {
    /// Adds the findings of another report.
    pub fn merge(&mut self, other: Report) {
        self.problems.extend(other.problems);
        self.repairs.extend(other.repairs);
        self.warnings.extend(other.warnings);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// The typed kinds render to the sentences the findings had as strings (tests and users
    /// read them), and each carries a stable code.
    #[test]
    fn typed_kinds_render_the_present_messages() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default();
        let cases: Vec<(FindingKind, &str, &str)> = vec![
            (
                DirectoryProblem::NotUnique {
                    layer: Layer::Regions,
                    name: "UKR".into(),
                    files: 2,
                }
                .into(),
                "2 files define the regions of border 'UKR'; names must be unique",
                "name-not-unique",
            ),
            (
                DirectoryProblem::NoDefaultSource {
                    sources: vec!["a".into(), "b".into()],
                }
                .into(),
                "2 sources (a, b) and no default_source: every query without source= would fail; name the default in frontline.json, e.g. {\"default_source\": \"a\"}",
                "no-default-source",
            ),
            (
                DirectoryProblem::OfUnknownBorder {
                    layer: Layer::Waters,
                    border: "XYZ".into(),
                }
                .into(),
                "waters of border 'XYZ', which is not in borders/",
                "unknown-border",
            ),
            (
                SourceProblem::BadName("Bad Name".into()).into(),
                "source name 'Bad Name' must be 1 to 64 characters of a-z, 0-9, '-' and '_'",
                "bad-source-name",
            ),
            (
                SourceProblem::TwoSnapshotsOneDate {
                    source: "s".into(),
                    date,
                    other: "sources/s/a.geojson".into(),
                }
                .into(),
                "source 's' has two snapshots dated 2024-03-01 (the other: sources/s/a.geojson)",
                "two-snapshots-one-date",
            ),
            (
                FileProblem::CrsNotCrs84 {
                    name: "EPSG:4326".into(),
                    epsg_4326: true,
                }
                .into(),
                "crs 'EPSG:4326' is not CRS84: EPSG:4326 orders its axes latitude, longitude, while positions here are longitude, latitude (CRS84); if the file's positions are lon/lat, name CRS84 or drop the crs member",
                "crs-not-crs84",
            ),
            (
                FileProblem::Overlap {
                    layer: Layer::Waters,
                    sum_km2: 2.0,
                    union_km2: 1.5,
                }
                .into(),
                "cells overlap: their areas add up to 2.000 km2 but cover 1.500 km2",
                "overlap",
            ),
            (
                FileProblem::EmptyArchiveFile { nothing: "no features" }.into(),
                "no features: an empty snapshot would say that nothing is occupied from its date on (import it with --allow-empty if that is meant)",
                "no-features",
            ),
            (
                MetaProblem::DateMismatch {
                    file_name: date,
                    declared: date.succ_opt().unwrap_or(date),
                }
                .into(),
                "file name says 2024-03-01 but frontline.date is 2024-03-02",
                "meta-date-mismatch",
            ),
            (
                MetaProblem::Missing { kind: "border".into() }.into(),
                "no 'frontline' object member: a border file needs {\"kind\": \"border\", ...}",
                "meta-missing",
            ),
            (
                FeatureProblem::UnknownType {
                    found: None,
                    expected: &["nochange", "gains", "losses"],
                }
                .into(),
                "properties.type is missing; expected one of nochange, gains, losses",
                "unknown-type",
            ),
            (
                FindingKind::PolygonLeftOut {
                    class: "occupied".into(),
                    why: Box::new(FeatureProblem::NoGeometry.into()),
                },
                "occupied polygon left out: feature has no geometry",
                "polygon-left-out",
            ),
        ];
        for (kind, message, code) in cases {
            assert_eq!(kind.to_string(), message);
            assert_eq!(kind.code(), code, "{message}");
        }
    }

    /// A finding is written with its code and its sentence.
    #[test]
    fn a_finding_serialises_its_code_and_message() {
        let f = Finding {
            file: "sources/s".into(),
            feature: None,
            location: None,
            kind: SourceProblem::NoSnapshotFile { source: "s".into() }.into(),
        };
        let v = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(v["kind"], "no-snapshot-file");
        assert_eq!(v["message"], "source 's' has no snapshot file");
        assert_eq!(f.to_string(), "sources/s: source 's' has no snapshot file");
    }
}
