//! The WIB clock (Asia/Jakarta, UTC+7, no daylight saving): diklat dates and session times are
//! local. A leaf module every service may use.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

pub fn today_wib(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&wib()).date_naive()
}

/// A local WIB date and time as an instant.
pub fn wib_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    wib().from_local_datetime(&NaiveDateTime::new(date, time)).single().expect("WIB has no gaps").with_timezone(&Utc)
}
