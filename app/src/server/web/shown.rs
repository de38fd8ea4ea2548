//! What nearly every page shows and admins seldom change — the notices in force as
//! visitors and staff see them, and the offered services — kept in memory, so a
//! page render does not ask the database for them each time.
//!
//! A kept copy is used for at most [`FRESH_FOR`], and not at all once the hub
//! says that what it holds changed on this instance (`Changes::shown_generation`,
//! moved before the change is told, so a page rendered after a commit never shows
//! the copy from before it). A planned notice that starts, or a change made by
//! another instance sharing the database, shows within that second.

use crate::domain::Notice;
use crate::server::hub::Changes;
use crate::server::store::db::Db;
use crate::server::store::{catalog, notices};
use std::future::Future;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a copy is used before the database is asked again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// The kept copies, one per thing shown.
#[derive(Default)]
pub struct Shown {
    notices: Kept<Vec<Notice>>,
    services: Kept<Vec<(String, String)>>,
}

impl Shown {
    /// The notices in force now, as visitors and staff see them (every audience).
    pub async fn notices(&self, db: &Db, changes: &Changes) -> Result<Vec<Notice>, sqlx::Error> {
        kept(changes, &self.notices, async {
            let mut conn = db.reader.acquire().await?;
            notices::active(&mut conn, chrono::Utc::now(), None).await
        })
        .await
    }

    /// The offered services as (slug, name), in display order.
    pub async fn services(
        &self,
        db: &Db,
        changes: &Changes,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        kept(changes, &self.services, async {
            let mut conn = db.reader.acquire().await?;
            catalog::service_choices(&mut conn, None).await
        })
        .await
    }
}

/// The copy in `slot` while it is fresh; else what `load` reads, kept.
async fn kept<T: Clone>(
    changes: &Changes,
    slot: &Kept<T>,
    load: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    // Read before loading: a change committed meanwhile leaves the new copy
    // marked as older than it, so it is not used.
    let generation = changes.shown_generation();
    let now = Instant::now();
    if let Some(value) = slot.fresh(generation, now) {
        return Ok(value);
    }
    let value = load.await?;
    slot.keep(value.clone(), generation, now);
    Ok(value)
}

/// One kept value, with when it was read and the hub's generation then.
struct Kept<T>(RwLock<Option<(T, Instant, u64)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(RwLock::new(None))
    }
}

impl<T: Clone> Kept<T> {
    fn fresh(&self, generation: u64, now: Instant) -> Option<T> {
        let slot = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*slot {
            Some((value, read, kept_generation))
                if *kept_generation == generation && now.duration_since(*read) < FRESH_FOR =>
            {
                Some(value.clone())
            }
            _ => None,
        }
    }

    fn keep(&self, value: T, generation: u64, read: Instant) {
        let mut slot = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A slower load that began earlier must not replace a newer copy.
        let newer = slot.as_ref().is_some_and(|(_, kept, kept_generation)| {
            (*kept_generation, *kept) > (generation, read)
        });
        if !newer {
            *slot = Some((value, read, generation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_used_while_fresh_and_of_the_same_generation() {
        let kept = Kept::default();
        let start = Instant::now();
        kept.keep(vec![1], 3, start);
        assert_eq!(
            kept.fresh(3, start + Duration::from_millis(999)),
            Some(vec![1])
        );
        assert_eq!(kept.fresh(3, start + FRESH_FOR), None);
        assert_eq!(kept.fresh(4, start), None);
        // An older load finishing late leaves the newer copy in place.
        kept.keep(vec![2], 4, start + Duration::from_millis(5));
        kept.keep(vec![1], 3, start + Duration::from_millis(1));
        assert_eq!(
            kept.fresh(4, start + Duration::from_millis(10)),
            Some(vec![2])
        );
    }
}
