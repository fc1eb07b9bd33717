//! A working-day calendar for service deadlines (pure: dates in, dates out).
//!
//! Deadlines such as "report the result within 3 working days" depend on
//! the local calendar, not UTC: weekends, public holidays and the make-up
//! working days (调休) that mainland China moves onto weekends around long
//! holidays. The offset is fixed (no DST), which holds for +08:00 and keeps
//! every local time unambiguous.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Offset, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// China Standard Time.
pub const DEFAULT_UTC_OFFSET_SECONDS: i32 = 8 * 3600;
/// Longest working-day span we compute. Far beyond any service target, and
/// it bounds the day-by-day walk so no input can make it run for ages.
pub const MAX_WORKING_DAYS: u32 = 3_660;
/// A calendar with a whole year of consecutive days off is misconfigured.
pub const MAX_CONSECUTIVE_DAYS_OFF: u32 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("the result is outside the representable date range")]
    OutOfRange,
    #[error("the calendar has no working day within {MAX_CONSECUTIVE_DAYS_OFF} days")]
    NoWorkingDays,
    #[error("at most {max} working days can be added, got {requested}")]
    TooFar { max: u32, requested: u32 },
}

/// Which local days are working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    #[serde(with = "offset_seconds")]
    pub offset: FixedOffset,
    /// Days off every week (a list because `Weekday` has no order).
    pub weekend: Vec<Weekday>,
    /// Public holidays, days off even when they fall on a weekday.
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (调休), working even when on the weekend.
    pub extra_working_days: BTreeSet<NaiveDate>,
}

impl Default for WorkCalendar {
    /// +08:00, Saturday and Sunday off, no holidays configured.
    fn default() -> Self {
        Self {
            // `east_opt` only fails beyond ±24 h; the fallback is unreachable.
            offset: FixedOffset::east_opt(DEFAULT_UTC_OFFSET_SECONDS).unwrap_or(Utc.fix()),
            weekend: vec![Weekday::Sat, Weekday::Sun],
            holidays: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
        }
    }
}

impl WorkCalendar {
    pub fn with_holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(dates);
        self
    }

    pub fn with_extra_working_days(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra_working_days.extend(dates);
        self
    }

    /// Make-up days win over holidays and weekends, because they are
    /// declared precisely to override them.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.extra_working_days.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !self.weekend.contains(&date.weekday())
    }

    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset).date_naive()
    }

    /// The same local wall-clock time on the `n`th working day after
    /// `start`'s local date. Counting starts the next day, whatever `start`
    /// is: a case opened on Friday 10:00 or on Saturday 10:00 with 3 working
    /// days is due on Wednesday 10:00. `n = 0` returns `start`.
    pub fn add_working_days(
        &self,
        start: DateTime<Utc>,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooFar {
                max: MAX_WORKING_DAYS,
                requested: n,
            });
        }
        let local = start.with_timezone(&self.offset);
        let mut date = local.date_naive();
        let (mut remaining, mut advanced, mut days_off) = (n, 0_u64, 0_u32);
        while remaining > 0 {
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            advanced += 1;
            if self.is_working_day(date) {
                remaining -= 1;
                days_off = 0;
            } else {
                days_off += 1;
                if days_off > MAX_CONSECUTIVE_DAYS_OFF {
                    return Err(CalendarError::NoWorkingDays);
                }
            }
        }
        local
            .checked_add_days(Days::new(advanced))
            .map(|due| due.with_timezone(&Utc))
            .ok_or(CalendarError::OutOfRange)
    }

    /// Calendar hours: nights, weekends and holidays count, as they do for
    /// the "acknowledge within 24 h" promise.
    pub fn add_hours(
        &self,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        start
            .checked_add_signed(TimeDelta::hours(i64::from(hours)))
            .ok_or(CalendarError::OutOfRange)
    }
}

/// Serialises the offset as seconds east of UTC (chrono has no serde impl
/// for `FixedOffset`).
mod offset_seconds {
    use chrono::FixedOffset;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(offset: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(offset.local_minus_utc())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FixedOffset, D::Error> {
        let seconds = i32::deserialize(d)?;
        FixedOffset::east_opt(seconds)
            .ok_or_else(|| D::Error::custom(format!("offset {seconds}s is out of range")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("RFC 3339 instant")
    }

    /// Spring Festival 2025: Jan 28 – Feb 4 off, Sun Jan 26 and Sat Feb 8
    /// worked instead (State Council notice).
    fn spring_festival_2025() -> WorkCalendar {
        WorkCalendar::default()
            .with_holidays((28..=31).map(|d| date(2025, 1, d)))
            .with_holidays((1..=4).map(|d| date(2025, 2, d)))
            .with_extra_working_days([date(2025, 1, 26), date(2025, 2, 8)])
    }

    #[test]
    fn default_calendar_is_china_time_with_weekends_off() {
        let calendar = WorkCalendar::default();
        assert_eq!(calendar.offset.local_minus_utc(), 8 * 3600);
        assert!(calendar.is_working_day(date(2025, 3, 7)));
        assert!(!calendar.is_working_day(date(2025, 3, 8)));
        assert!(!calendar.is_working_day(date(2025, 3, 9)));
    }

    #[test]
    fn holidays_are_off_and_make_up_days_are_worked() {
        let calendar = spring_festival_2025();
        assert!(!calendar.is_working_day(date(2025, 1, 28)));
        assert!(!calendar.is_working_day(date(2025, 2, 3)));
        assert!(
            calendar.is_working_day(date(2025, 1, 26)),
            "Sunday make-up day"
        );
        assert!(
            calendar.is_working_day(date(2025, 2, 8)),
            "Saturday make-up day"
        );
        assert!(calendar.is_working_day(date(2025, 2, 5)));
    }

    #[test]
    fn working_days_skip_the_weekend() {
        // Friday 10:00 in Beijing + 3 working days = Wednesday 10:00.
        let due = WorkCalendar::default().add_working_days(utc("2025-03-07T02:00:00Z"), 3);
        assert_eq!(due, Ok(utc("2025-03-12T02:00:00Z")));
    }

    #[test]
    fn working_days_skip_holidays_and_count_make_up_days() {
        // Friday Jan 24: Sun 26 (make-up) = 1, Mon 27 = 2, Jan 28 – Feb 4
        // off, Wed Feb 5 = 3.
        let due = spring_festival_2025().add_working_days(utc("2025-01-24T02:00:00Z"), 3);
        assert_eq!(due, Ok(utc("2025-02-05T02:00:00Z")));
    }

    #[test]
    fn counting_follows_the_local_date_not_utc() {
        // 20:00 UTC on Friday is already Saturday 04:00 in Beijing.
        let due = WorkCalendar::default().add_working_days(utc("2025-03-07T20:00:00Z"), 3);
        assert_eq!(due, Ok(utc("2025-03-11T20:00:00Z")));
        let calendar = WorkCalendar::default();
        assert_eq!(
            calendar.local_date(utc("2025-03-07T20:00:00Z")),
            date(2025, 3, 8)
        );
    }

    #[test]
    fn zero_working_days_is_the_start() {
        let start = utc("2025-03-08T02:00:00Z");
        assert_eq!(
            WorkCalendar::default().add_working_days(start, 0),
            Ok(start)
        );
    }

    #[test]
    fn hours_are_calendar_hours() {
        let due = spring_festival_2025().add_hours(utc("2025-01-27T02:00:00Z"), 72);
        assert_eq!(due, Ok(utc("2025-01-30T02:00:00Z")));
        assert_eq!(
            WorkCalendar::default().add_hours(DateTime::<Utc>::MAX_UTC, 1),
            Err(CalendarError::OutOfRange)
        );
    }

    #[test]
    fn a_calendar_without_working_days_is_refused_not_looped() {
        let calendar = WorkCalendar {
            weekend: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            ..WorkCalendar::default()
        };
        assert_eq!(
            calendar.add_working_days(utc("2025-03-07T02:00:00Z"), 1),
            Err(CalendarError::NoWorkingDays)
        );
    }

    #[test]
    fn absurd_spans_are_refused() {
        let start = utc("2025-03-07T02:00:00Z");
        assert_eq!(
            WorkCalendar::default().add_working_days(start, u32::MAX),
            Err(CalendarError::TooFar {
                max: MAX_WORKING_DAYS,
                requested: u32::MAX
            })
        );
        assert!(WorkCalendar::default()
            .add_working_days(start, MAX_WORKING_DAYS)
            .is_ok());
    }

    #[test]
    fn calendar_round_trips_through_serde_with_offset_in_seconds() {
        let calendar = spring_festival_2025();
        let json = serde_json::to_value(&calendar).expect("serialise");
        assert_eq!(json["offset"], 28_800);
        let back: WorkCalendar = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, calendar);
        let bad = serde_json::json!({
            "offset": 100_000, "weekend": [], "holidays": [], "extra_working_days": []
        });
        assert!(serde_json::from_value::<WorkCalendar>(bad).is_err());
    }
}
