//! Which publication is a day's snapshot: the one rule that turns a source's publications (each
//! with its instant) into dated snapshots, for the loader, the catalog's rebuilds (ingest,
//! `known_at`) and the import's report alike.
//!
//! A publication counts for the day its instant falls on in the source's time zone
//! ([`day_of`]), so a change of the zone re-dates every publication at the next load. Of a day's
//! publications the last is the day's snapshot (the state in force at the end of the day); the
//! earlier ones answer `datetime=` within the day. A day whose publications all repeat the state
//! in force before it has no snapshot of its own (identical consecutive states are kept once):
//! the snapshot before it stays in force. Nothing depends on the order in which publications
//! arrived: every publication is kept with its instant, so one published between two others
//! later takes its place among them.
//!
//! **Equal instants** (the tie rule): publications of one instant with different contents (a
//! source whose instants are whole seconds, publishing twice within one) are all kept, ordered
//! by their content's SHA-256 (hex, ascending), as if the one of the greater hash were
//! published last: it is the one in force at that instant (`datetime=` that instant or later),
//! and the day's snapshot when the instant is the day's last; the others are kept and listed,
//! never in force. The order depends on the contents only, so every writer and every reload
//! arranges them alike.

use super::Snapshot;
use chrono::{DateTime, NaiveDate, Utc};

/// The day an instant falls on in a time zone (the date a publication counts for).
pub fn day_of(instant: DateTime<Utc>, tz: chrono_tz::Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// What a publication is once arranged (see [`arrange_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The last publication of its day: the day's snapshot.
    Day,
    /// Superseded later its day (or repeating the state in force before its day): kept for
    /// `datetime=`.
    Earlier,
}

/// Arranges publications, given as `(date, instant, content)` by `key`: every item of `timed`
/// (publications with an instant, dated by [`day_of`]) gets its [`Role`], in the order given.
/// `untimed` are the source's snapshots without an instant (a daily archive's), `(date,
/// content)`: they take part in what "the state in force before a day" is.
pub fn arrange_by<T>(
    untimed: &[(NaiveDate, &str)],
    timed: &[T],
    key: impl Fn(&T) -> (NaiveDate, DateTime<Utc>, &str),
) -> Vec<Role> {
    let mut order: Vec<usize> = (0..timed.len()).collect();
    // By instant, then (the tie rule) by content.
    order.sort_by(|&i, &j| {
        let (a, b) = (key(&timed[i]), key(&timed[j]));
        (a.1, a.2).cmp(&(b.1, b.2))
    });
    let mut untimed: Vec<(NaiveDate, &str)> = untimed.to_vec();
    untimed.sort_by_key(|u| u.0);
    let mut roles = vec![Role::Earlier; timed.len()];
    let mut next_untimed = untimed.iter().peekable();
    let mut before: Option<&str> = None;
    let mut i = 0;
    while i < order.len() {
        let day = key(&timed[order[i]]).0;
        while let Some(u) = next_untimed.next_if(|u| u.0 < day) {
            before = Some(u.1);
        }
        let mut end = i;
        while end < order.len() && key(&timed[order[end]]).0 == day {
            end += 1;
        }
        let group = &order[i..end];
        let changes = group.iter().any(|&j| Some(key(&timed[j]).2) != before);
        if changes && let Some(&last) = group.last() {
            roles[last] = Role::Day;
            before = Some(key(&timed[last]).2);
        }
        i = end;
    }
    roles
}

/// Splits a source's snapshots without an instant (`untimed`) and its publications (`timed`)
/// into its dated snapshots (sorted by date: the untimed ones and each day's last publication)
/// and the other publications (sorted by instant), by [`arrange_by`].
pub fn arrange<T: std::borrow::Borrow<Snapshot>>(untimed: Vec<T>, timed: Vec<T>) -> (Vec<T>, Vec<T>) {
    let marks: Vec<(NaiveDate, &str)> = untimed
        .iter()
        .map(|s| (s.borrow().date, s.borrow().content_sha256.as_str()))
        .collect();
    let roles = arrange_by(&marks, &timed, |s| {
        let s = s.borrow();
        (
            s.date,
            s.published_at.unwrap_or(DateTime::<Utc>::MIN_UTC),
            s.content_sha256.as_str(),
        )
    });
    drop(marks);
    let mut snapshots = untimed;
    let mut others = Vec::new();
    for (s, role) in timed.into_iter().zip(roles) {
        match role {
            Role::Day => snapshots.push(s),
            Role::Earlier => others.push(s),
        }
    }
    // Stable: an untimed snapshot and a publication of one date stay side by side (the loader
    // refuses two snapshots of one date).
    snapshots.sort_by_key(|s| s.borrow().date);
    others.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        (a.published_at, &a.content_sha256).cmp(&(b.published_at, &b.content_sha256))
    });
    (snapshots, others)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// `(instant, content)` publications dated in Kyiv time, arranged: the roles in the order
    /// given.
    fn roles(untimed: &[(&str, &str)], timed: &[(&str, &str)]) -> Vec<Role> {
        let untimed: Vec<(NaiveDate, &str)> = untimed.iter().map(|(a, c)| (d(a), *c)).collect();
        let items: Vec<(NaiveDate, DateTime<Utc>, &str)> = timed
            .iter()
            .map(|(t, c)| (day_of(at(t), chrono_tz::Europe::Kyiv), at(t), *c))
            .collect();
        arrange_by(&untimed, &items, |x| *x)
    }

    #[test]
    fn the_last_publication_of_a_day_in_the_zone_is_its_snapshot_whatever_the_order() {
        use Role::*;
        // 20:30 UTC is 23:30 in Kyiv (1 May), 21:30 UTC is 00:30 on 2 May.
        let list = [
            ("2024-05-01T21:30:00Z", "c"),
            ("2024-05-01T10:00:00Z", "a"),
            ("2024-05-01T20:30:00Z", "b"),
        ];
        assert_eq!(roles(&[], &list), [Day, Earlier, Day]);
        // In UTC all three are of 1 May.
        let items: Vec<(NaiveDate, DateTime<Utc>, &str)> = list
            .iter()
            .map(|(t, c)| (day_of(at(t), chrono_tz::UTC), at(t), *c))
            .collect();
        assert_eq!(arrange_by(&[], &items, |x| *x), [Day, Earlier, Earlier]);
        assert_eq!(
            day_of(at("2024-05-01T20:59:59Z"), chrono_tz::Europe::Kyiv),
            d("2024-05-01")
        );
        assert_eq!(
            day_of(at("2024-05-01T21:00:00Z"), chrono_tz::Europe::Kyiv),
            d("2024-05-02")
        );
        // Winter: Kyiv is UTC+2.
        assert_eq!(
            day_of(at("2024-01-10T21:59:59Z"), chrono_tz::Europe::Kyiv),
            d("2024-01-10")
        );
        assert_eq!(
            day_of(at("2024-01-10T22:00:00Z"), chrono_tz::Europe::Kyiv),
            d("2024-01-11")
        );
    }

    /// Two contents of one instant: the greater content hash is the later, whatever the order
    /// given, so it is the day's snapshot when the instant is the day's last.
    #[test]
    fn publications_of_one_instant_are_ordered_by_content() {
        use Role::*;
        let t = "2024-05-01T10:00:00Z";
        assert_eq!(roles(&[], &[(t, "b"), (t, "a")]), [Day, Earlier]);
        assert_eq!(roles(&[], &[(t, "a"), (t, "b")]), [Earlier, Day]);
        // A later publication of the day takes the day whatever the ties before it.
        assert_eq!(
            roles(&[], &[(t, "b"), ("2024-05-01T11:00:00Z", "c"), (t, "a")]),
            [Earlier, Day, Earlier]
        );
    }

    #[test]
    fn a_day_that_only_repeats_the_state_before_it_has_no_snapshot() {
        use Role::*;
        // 2 May repeats 1 May's last state twice: no snapshot of its own.
        let list = [
            ("2024-05-01T10:00:00Z", "a"),
            ("2024-05-02T08:00:00Z", "a"),
            ("2024-05-02T12:00:00Z", "a"),
        ];
        assert_eq!(roles(&[], &list), [Day, Earlier, Earlier]);
        // One publication between them with other content: 2 May changes twice, its last
        // (back to a) is its snapshot.
        let list = [
            ("2024-05-01T10:00:00Z", "a"),
            ("2024-05-02T08:00:00Z", "a"),
            ("2024-05-02T12:00:00Z", "a"),
            ("2024-05-02T10:00:00Z", "b"),
        ];
        assert_eq!(roles(&[], &list), [Day, Earlier, Day, Earlier]);
        // An untimed snapshot between them is the state before 2 May.
        let list = [("2024-05-01T10:00:00Z", "a"), ("2024-05-03T08:00:00Z", "a")];
        assert_eq!(roles(&[("2024-05-02", "b")], &list), [Day, Day]);
        assert_eq!(roles(&[("2024-05-02", "a")], &list), [Day, Earlier]);
    }
}
