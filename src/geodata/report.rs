//! Validation findings: every problem and every repair, with the file, feature and place.

use serde::Serialize;
use std::fmt;

/// One problem or repair found while reading geodata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as given.
    pub file: String,
    /// Index of the feature in the file's `features` array, where the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<usize>,
    /// Where inside the feature (polygon, ring, position), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What is wrong, or what was repaired.
    pub message: String,
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
        write!(f, ": {}", self.message)
    }
}

/// All problems (which refuse the load) and repairs (applied and reported) of one load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
    pub fn problem(&mut self, location: Option<String>, message: impl Into<String>) {
        self.report.problems.push(Finding {
            file: self.file.to_string(),
            feature: self.feature,
            location,
            message: message.into(),
        });
    }

    pub fn repair(&mut self, location: Option<String>, message: impl Into<String>) {
        self.report.repairs.push(Finding {
            file: self.file.to_string(),
            feature: self.feature,
            location,
            message: message.into(),
        });
    }
}
