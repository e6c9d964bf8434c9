//! Writes go through [`WriteTx`]: a transaction that, on SQLite, holds the process's write turn
//! until it is committed or dropped. Every store function that writes takes one, so no write can
//! skip the turn (SQLite has one writer; a deferred transaction that read first and then meets
//! another writer fails with "database is locked" instead of waiting).

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement,
    TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// SQLite's one-writer turn; `None` on PostgreSQL, which needs none.
#[derive(Clone, Default)]
pub struct WriteTurn(Option<Arc<Mutex<()>>>);

impl WriteTurn {
    pub fn for_backend(sqlite: bool) -> Self {
        Self(sqlite.then(|| Arc::new(Mutex::new(()))))
    }
}

pub struct WriteTx {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Waits for the write turn (SQLite), then begins.
    pub async fn begin(db: &DatabaseConnection, turn: &WriteTurn) -> Result<Self, DbErr> {
        let guard = match &turn.0 {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        Ok(Self { txn: db.begin().await?, _turn: guard })
    }

    /// Commits, then gives the turn back.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// A nested transaction (`SAVEPOINT`) inside this one, under the same turn: committing it
    /// releases the savepoint, `rollback` undoes only what was written in it.
    pub async fn savepoint(&self) -> Result<WriteTx, DbErr> {
        Ok(Self { txn: self.txn.begin().await?, _turn: None })
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTx {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
