//! The connections a database backend keeps between queries.
//!
//! sqlx's pool sends a ping on every connection it takes back, so each query
//! through it costs two round trips to the database. This keeps the
//! connections checked out of sqlx's pool instead, and hands them from one
//! query to the next itself: a query costs one round trip
//! (docs/performance.md has the measurements). sqlx's pool still opens
//! every connection, and still takes back, pings and cleans up any
//! connection a query did not finish cleanly. Idle times are read from
//! Tokio's monotonic clock: they are about connections, not about any
//! resource, so they do not go through `app::now`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// A connection that sat idle this long is pinged before it is used, so
/// one that died while idle (the database restarted, the network was cut)
/// is replaced instead of failing a request. Under load connections are
/// idle for microseconds, and no ping is sent.
const PING_AFTER_IDLE: Duration = Duration::from_millis(100);

/// How long a query waits for a connection before it fails.
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(5);

/// Connections kept between queries, at most as many as the pool holds.
pub(super) struct Connections<DB: Database> {
    pool: Pool<DB>,
    /// One permit per connection the pool may open: a query holds one while
    /// it has a connection, so sqlx's pool always has one to give.
    permits: Arc<Semaphore>,
    /// Connections between queries, with when each was last used; the most
    /// recently used is handed out first.
    idle: Mutex<Vec<(PoolConnection<DB>, Instant)>>,
}

impl<DB: Database> std::fmt::Debug for Connections<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("pool", &self.pool)
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl<DB: Database> Connections<DB> {
    /// Connections from `pool`, as many at once as it may open.
    pub(super) fn new(pool: Pool<DB>) -> Self {
        let permits = Arc::new(Semaphore::new(pool.options().get_max_connections() as usize));
        Self {
            pool,
            permits,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A connection for one query (or one transaction): an idle one if any
    /// is alive, else a new one from the pool.
    ///
    /// # Errors
    /// No connection came free in time, or the pool cannot open one.
    pub(super) async fn get(&self) -> Result<Lease<'_, DB>, sqlx::Error> {
        let permit = tokio::time::timeout(
            WAIT_FOR_CONNECTION,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .map_err(|_| sqlx::Error::PoolClosed)?;
        // Pings of idle connections and opening a new one, together bounded
        // as sqlx bounds its own acquire: a database that stops answering
        // without closing its connections fails the request, it does not
        // hang it.
        let conn = tokio::time::timeout(WAIT_FOR_CONNECTION, self.live_connection())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        Ok(Lease {
            connections: self,
            conn: Some(conn),
            _permit: permit,
        })
    }

    /// The most recently used idle connection that answers (pinged if it
    /// sat idle [`PING_AFTER_IDLE`] or more), else a new one from the pool.
    async fn live_connection(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        loop {
            let next = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some((mut conn, since)) = next else {
                return self.pool.acquire().await;
            };
            if since.elapsed() < PING_AFTER_IDLE || sqlx::Connection::ping(&mut *conn).await.is_ok()
            {
                return Ok(conn);
            }
            // Dead: back to the pool, which closes it.
        }
    }
}

/// A connection lent to one query. [`Lease::done`] keeps it for the next
/// query if the query succeeded; otherwise, or if the query was dropped
/// before it finished, it goes back to sqlx's pool, which pings it and
/// closes it if it is broken.
pub(super) struct Lease<'a, DB: Database> {
    connections: &'a Connections<DB>,
    conn: Option<PoolConnection<DB>>,
    _permit: OwnedSemaphorePermit,
}

impl<DB: Database> Lease<'_, DB> {
    /// The connection, to run queries on.
    pub(super) fn conn(&mut self) -> &mut DB::Connection {
        // Only `done` takes it out, and `done` consumes the lease.
        self.conn
            .as_deref_mut()
            .expect("a lease holds its connection until done")
    }

    /// Ends the lease with the query's result: a connection that answered
    /// is kept for the next query; one that failed goes back to the pool.
    pub(super) fn done<T, E>(mut self, result: Result<T, E>) -> Result<T, E> {
        if result.is_ok()
            && let Some(conn) = self.conn.take()
        {
            self.connections
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((conn, Instant::now()));
        }
        result
    }
}
