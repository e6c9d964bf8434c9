//! Events between server instances through Redis pub/sub. Redis only rings the bell — "company C
//! has event seq S" — and each instance reads the event itself from the events table, the truth.
//! A bell lost while Redis was away costs nothing permanent: sockets fill any `seq` gap from the
//! table when the next event arrives, and clients resume with `since` after a reconnect.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use sea_orm::DatabaseConnection;
use shared::CompanyId;
use tokio::sync::{broadcast, mpsc};

use crate::realtime::StoredEvent;
use crate::store;

const CHANNEL: &str = "atende:events";
/// Bells waiting to be published; past this a burst drops bells rather than memory.
const OUTGOING: usize = 4096;

/// `instance company seq`
fn bell(instance: &str, event: &StoredEvent) -> String {
    format!("{instance} {} {}", event.company_id, event.seq)
}

fn parse_bell(text: &str) -> Option<(&str, i64, i64)> {
    let mut parts = text.split(' ');
    let instance = parts.next()?;
    let company = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    Some((instance, company, seq))
}

/// Starts the publisher and the subscriber; returns where to hand events for other instances.
pub fn start(
    url: &str,
    db: DatabaseConnection,
    local: broadcast::Sender<Arc<StoredEvent>>,
) -> Result<mpsc::Sender<Arc<StoredEvent>>, redis::RedisError> {
    let client = redis::Client::open(url)?;
    let instance = uuid::Uuid::new_v4().simple().to_string();
    let (outgoing, queue) = mpsc::channel(OUTGOING);
    tokio::spawn(publish_loop(client.clone(), instance.clone(), queue));
    tokio::spawn(subscribe_loop(client, instance, db, local));
    Ok(outgoing)
}

async fn publish_loop(client: redis::Client, instance: String, mut queue: mpsc::Receiver<Arc<StoredEvent>>) {
    let mut connection = None;
    while let Some(event) = queue.recv().await {
        for _attempt in 0..2 {
            if connection.is_none() {
                connection = client.get_multiplexed_async_connection().await.ok();
            }
            let Some(conn) = connection.as_mut() else {
                break;
            };
            let sent: Result<(), _> = conn.publish(CHANNEL, bell(&instance, &event)).await;
            match sent {
                Ok(()) => break,
                Err(error) => {
                    tracing::warn!(%error, "publishing an event bell to Redis; reconnecting");
                    connection = None;
                }
            }
        }
    }
}

async fn subscribe_loop(
    client: redis::Client,
    instance: String,
    db: DatabaseConnection,
    local: broadcast::Sender<Arc<StoredEvent>>,
) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    backoff = Duration::from_millis(200);
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = message.get_payload::<String>() else { continue };
                        let Some((from, company_id, seq)) = parse_bell(&text) else { continue };
                        if from == instance {
                            continue;
                        }
                        match load(&db, company_id, seq).await {
                            Ok(Some(event)) => {
                                let _ = local.send(Arc::new(event));
                            }
                            Ok(None) => {}
                            Err(error) => tracing::warn!(%error, company_id, seq, "loading a rung event"),
                        }
                    }
                    tracing::warn!("the Redis subscription ended; resubscribing");
                }
                Err(error) => tracing::warn!(%error, "subscribing to Redis"),
            },
            Err(error) => tracing::warn!(%error, "connecting to Redis"),
        }
        // Redis is away: wait (longer each time, up to 1 s) and subscribe again. A refused
        // connection costs nothing, and a longer wait would keep events from crossing instances
        // for that long after Redis is back (the fault tests allow 5 s in all).
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

async fn load(db: &DatabaseConnection, company_id: i64, seq: i64) -> Result<Option<StoredEvent>, sea_orm::DbErr> {
    let row = store::events::get(db, CompanyId(company_id), seq).await?;
    Ok(row.map(|e| StoredEvent { company_id: e.company_id, seq: e.seq, audience: e.audience, frame: e.frame.into() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bells_round_trip_and_garbage_is_ignored() {
        let event = StoredEvent {
            company_id: CompanyId(3),
            seq: 42,
            audience: shared::visibility::Audience::Company,
            frame: "{}".into(),
        };
        assert_eq!(parse_bell(&bell("abc", &event)), Some(("abc", 3, 42)));
        assert_eq!(parse_bell("abc x 42"), None);
        assert_eq!(parse_bell(""), None);
    }
}
