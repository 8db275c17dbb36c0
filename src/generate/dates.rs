//! Calendar arithmetic for the generator, without a date crate.
//!
//! In: civil dates (year, month, day) and times of day. Out: day numbers (days since
//! 1970-01-01), timestamps (seconds since 1970-01-01 00:00:00, no time zone) and their
//! text forms: ISO (`2025-03-15`, `2025-03-15 14:23:05`) and the survey-platform form
//! (`2025/3/15 14:23:05`). Guarantees: `days_from_civil` and `civil_from_days` are exact
//! inverses over the proleptic Gregorian calendar (H. Hinnant's algorithms).
//!
//! A [`Stamp`] holds unchecked components so that a deliberately impossible date
//! (`2025-02-30`) renders the same way in every output format.

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// ISO date text of a day number.
pub fn iso_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A timestamp's components, not checked against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Stamp {
    /// The stamp of `secs` seconds since 1970-01-01 00:00:00.
    pub fn from_secs(secs: i64) -> Stamp {
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let tod = secs.rem_euclid(86_400);
        Stamp { year, month, day, hour: (tod / 3600) as u32, minute: (tod / 60 % 60) as u32, second: (tod % 60) as u32 }
    }

    /// `YYYY-MM-DD HH:MM:SS`, the canonical `submitted_at`.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYY/M/D H:MM:SS`, as wjx writes 提交答卷时间 (month, day and hour not padded).
    pub fn platform(&self) -> String {
        format!("{}/{}/{} {}:{:02}:{:02}", self.year, self.month, self.day, self.hour, self.minute, self.second)
    }
}

/// Seconds since the epoch of a day number plus a time of day.
pub fn secs_at(day: i64, hour: u32, minute: u32, second: u32) -> i64 {
    day * 86_400 + i64::from(hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(iso_date(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(iso_date(days_from_civil(2025, 2, 28) + 1), "2025-03-01");
    }

    #[test]
    fn stamp_formats() {
        let s = Stamp::from_secs(secs_at(days_from_civil(2025, 3, 5), 9, 3, 7));
        assert_eq!(s.iso(), "2025-03-05 09:03:07");
        assert_eq!(s.platform(), "2025/3/5 9:03:07");
    }
}
